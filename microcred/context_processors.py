from django.conf import settings

from proposals.policy import active_profile
from review.permissions import roles_of


def product(request):
    profile = active_profile()
    return {
        # An explicit INSTITUTION_NAME wins; otherwise the active profile's institution.
        "institution_name": settings.INSTITUTION_NAME_OVERRIDE or profile.institution,
        "policy": profile,
        "nav": _nav(request),
    }


def _nav(request):
    """Which main navigation links this person's roles call for."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = roles_of(user)
    profile = active_profile()
    reviewer = roles.is_unit_reviewer or roles.is_committee_member or roles.is_office_staff
    return {
        "proposals": roles.is_faculty,
        "queue": reviewer,
        "meetings": roles.is_committee_member or roles.is_office_staff,
        "dashboard": roles.is_office_staff,
        "search": roles.is_faculty or reviewer or roles.is_admin,
        "awards": roles.is_learner,
        "registrar": roles.is_registrar,
        "evidence": roles.is_program_evaluator or roles.is_office_staff,
        # Evaluators award their unit's micro-credentials unless the profile awards centrally.
        "awarding": roles.is_office_staff or (roles.is_program_evaluator and not profile.awarded_centrally),
    }
