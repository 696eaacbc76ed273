from django.conf import settings

from proposals.policy import active_profile


def product(request):
    profile = active_profile()
    return {
        # An explicit INSTITUTION_NAME wins; otherwise the active profile's institution.
        "institution_name": settings.INSTITUTION_NAME_OVERRIDE or profile.institution,
        "policy": profile,
    }
