from django.conf import settings

from proposals.policy import active_profile


def product(request):
    return {
        "institution_name": settings.INSTITUTION_NAME,
        "policy": active_profile(),
    }
