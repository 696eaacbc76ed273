import os

from django.core.wsgi import get_wsgi_application

from core.safety import refuse_implicit_debug

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcred.settings")

application = get_wsgi_application()
refuse_implicit_debug()
