"""Staff retrying an award's Credly badge that failed for good."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from .. import permissions, selectors
from . import credly


@login_required
@require_POST
def retry(request, public_id):
    found = selectors.public_award(public_id)
    if not permissions.may_retry_in_credly(request.user, found):
        raise PermissionDenied("Only the awarding office's staff retry Credly badges.")
    try:
        credly.retry(award=found, user=request.user)
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Queued: Credly will be asked again; this page shows how it went.")
    return redirect(found)
