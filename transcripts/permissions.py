"""Who may work the registrar's transcript queue: registrar staff (the Registrar group) and
administrators."""

from django.core.exceptions import PermissionDenied

from core.roles import REGISTRAR, in_group


def is_registrar(user):
    return user.is_authenticated and (user.is_superuser or in_group(user, REGISTRAR))


def require_registrar(user):
    if not is_registrar(user):
        raise PermissionDenied("Only registrar staff work the transcript queue.")
