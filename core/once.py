"""Each form is done once, however often it is sent.

Every form the product renders carries, beside its CSRF token, a submission key made for that
rendering (the ``csrf_token`` tag is extended for it in ``core.templatetags.once``, so no
form can forget it). ``SubmitOnceMiddleware`` runs the view of a POST that carries a key inside one
transaction with a ``FormSubmission`` row under that key:

- the view succeeds with a redirect: the row is kept with where it sent the person, and committed
  with the view's own changes;
- the view answers anything else (the form again with its errors, a refusal): the row is removed,
  so the same form can be corrected and sent again; an error rolls both back;
- the key is already on record (a double click, a resubmitted POST, a second tab): the view does
  not run; the person is sent where the first submission sent them, and told so. Two copies sent
  at the same moment meet at the unique key: the second waits for the first to commit, then finds
  its row;
- for a view that makes something new (marked ``@creates``: a proposal, a comment, a meeting …),
  the same person sending the same content to the same address within ``FORM_RESUBMIT_SECONDS``
  counts as the same form too: the back button brings a form back freshly rendered, with a new
  key. Only such views: logging in, logging out or adding and removing an agenda item again are
  meant to happen twice.

A POST without a key (an API client, a test posting by hand) runs as it always did.
"""

import hashlib
import json
import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from .models import FormSubmission

FIELD = "submission_key"


def new_key():
    return str(uuid.uuid4())


def _key_of(request):
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except (ValueError, AttributeError):
        return None


def creates(view):
    """Mark a view that makes something new: the same content sent again by the same person within
    ``FORM_RESUBMIT_SECONDS`` is not made twice. Outermost, above ``login_required`` and the rest."""
    view.submitted_once_by_content = True
    return view


def fingerprint(request):
    """What the person sent where, without the keys that differ between two renderings."""
    fields = sorted(
        (name, request.POST.getlist(name))
        for name in request.POST
        if name not in (FIELD, "csrfmiddlewaretoken")
    )
    files = sorted((name, f.name, f.size) for name, f in request.FILES.items())
    sent = json.dumps([request.user.pk, request.path, fields, files], default=str)
    return hashlib.sha256(sent.encode()).hexdigest()


class SubmitOnceMiddleware:
    """Last in ``MIDDLEWARE``: its ``process_view`` runs after the CSRF check has read the form."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # A CSRF-exempt view may read its body its own way (the upload-to-verify page sets its
        # upload handlers first): the form is never read here for it.
        if request.method != "POST" or getattr(view_func, "csrf_exempt", False):
            return None
        key = _key_of(request)
        if key is None:
            return None
        user = request.user if request.user.is_authenticated else None
        sent = ""
        if getattr(view_func, "submitted_once_by_content", False):
            sent = fingerprint(request)
            moments_ago = timezone.now() - timedelta(seconds=settings.FORM_RESUBMIT_SECONDS)
            same = FormSubmission.objects.filter(fingerprint=sent, created_at__gte=moments_ago).exclude(
                outcome=""
            )
            if same.exists():
                return self._already_done(request, same.order_by("created_at").first())
        try:
            with transaction.atomic():
                with transaction.atomic():
                    row = FormSubmission.objects.create(
                        key=key, user=user, path=request.path[:500], fingerprint=sent
                    )
                response = view_func(request, *view_args, **view_kwargs)
                if 300 <= response.status_code < 400 and response.get("Location"):
                    row.outcome = response["Location"][:2000]
                    row.save(update_fields=["outcome"])
                else:
                    row.delete()
                return response
        except IntegrityError:
            if not FormSubmission.objects.filter(key=key).exists():
                raise  # not the key: an error of the view's own, as it would be without this
            return self._already_done(request, FormSubmission.objects.filter(key=key).first())

    def _already_done(self, request, first):
        messages.info(request, "This form had already been sent; it was done once, not again.")
        target = first.outcome if first and first.outcome else request.headers.get("Referer", "")
        if not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            target = "/"
        return redirect(target)
