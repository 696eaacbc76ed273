"""Whether the institution's sign-in is configured, and who must use it."""

from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialAccount, SocialApp
from django.conf import settings

from core import roles


def institution_provider(request):
    """The configured identity provider (allauth's provider, from settings or the admin's social
    applications), or None without single sign-on."""
    try:
        return get_adapter().get_provider(request, settings.SSO_PROVIDER_ID)
    except SocialApp.DoesNotExist:
        return None


def must_use_institution(request, user):
    """A password login refused by ``LOCAL_LOGIN_FOR_STAFF=False``: once single sign-on is
    configured, an account with a role here (staff, any group but learner) or an institutional
    sign-in already linked. Learners from outside keep their passwords, and superusers theirs, as
    the way in when the identity provider is down."""
    if settings.LOCAL_LOGIN_FOR_STAFF or user.is_superuser or institution_provider(request) is None:
        return False
    return (
        user.is_staff
        or user.groups.exclude(name=roles.LEARNER).exists()
        or SocialAccount.objects.filter(user=user).exists()
    )
