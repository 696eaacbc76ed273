import os

from django.core.asgi import get_asgi_application

from core.safety import refuse_implicit_debug

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")

application = get_asgi_application()
refuse_implicit_debug()
