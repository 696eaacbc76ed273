"""Public documents a verifier fetches (issuer, keys, achievements, status list), each award's
credential and baked images, and revocation by the office's staff."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_headers

from .. import people, permissions, selectors
from ..models import Achievement, IssuerKey, StatusList
from . import documents, services
from .forms import RevokeForm

LD_JSON = "application/ld+json"
VC_LD_JSON = "application/vc+ld+json"
DID_JSON = "application/did+json"


def _json(document, content_type=LD_JSON):
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=f"{content_type}; charset=utf-8"
    )


@cache_control(public=True, max_age=300)
def issuer(request):
    """The issuer's profile and controller document: every key, and under ``assertionMethod`` every
    key but a compromised one."""
    return _json(documents.controller_document(selectors.published_keys()))


@cache_control(public=True, max_age=300)
def did_document(request):
    """The issuer's did:web DID document, served at one of two routes: the one the did:web method
    prescribes for ``PUBLIC_BASE_URL`` (/.well-known/did.json, or /did.json below a path); the other
    is not found. Served whatever ``ISSUER_IDENTIFIER`` is now, for the credentials issued under it."""
    if request.path_info != documents.did_document_path():
        raise Http404("The DID document is at the other path for this site's base URL.")
    response = _json(documents.did_document(selectors.published_keys()), DID_JSON)
    response["Access-Control-Allow-Origin"] = "*"  # wallets in a browser fetch it from another origin
    return response


# As short as the controller document's: a key's ``revoked`` date reaches verifiers as soon as its
# leaving ``assertionMethod`` does.
@cache_control(public=True, max_age=300)
def key(request, name):
    return _json(documents.verification_method(get_object_or_404(IssuerKey, name=name)))


@cache_control(public=True, max_age=3600)
def achievement(request, uuid):
    return _json(get_object_or_404(Achievement, uuid=uuid).data)


@cache_control(public=True, max_age=3600)
def achievement_image(request, uuid):
    found = get_object_or_404(Achievement.objects.only("image_png"), uuid=uuid)
    return HttpResponse(bytes(found.image_png), content_type="image/png")


@cache_control(public=True, max_age=60)
def status_list(request, purpose, did=False):
    """The signed status list, issued under the https issuer id, or with ``did`` under the did:web one."""
    found = get_object_or_404(StatusList, purpose=purpose)
    text = found.did_credential_json if did else found.credential_json
    if not text:
        raise Http404("The status list has not been published yet.")
    return HttpResponse(text, content_type=f"{VC_LD_JSON}; charset=utf-8")


def _issued(public_id):
    found = selectors.public_award(public_id)
    if found.credential_id is None:
        raise Http404("This award is still being issued.")
    return found


def _credential(public_id):
    return _issued(public_id).credential


def _download(response, award, extension):
    response["Content-Disposition"] = f'attachment; filename="{people.download_name(award, extension)}"'
    return response


@cache_control(public=True, max_age=3600)
@vary_on_headers("Accept")  # the media type follows it
def award_json(request, public_id):
    credential = _credential(public_id)
    content_type = VC_LD_JSON if VC_LD_JSON in request.headers.get("Accept", "") else LD_JSON
    return HttpResponse(credential.json, content_type=f"{content_type}; charset=utf-8")


@cache_control(public=True, max_age=3600)
def award_png(request, public_id):
    award = _issued(public_id)
    return _download(HttpResponse(bytes(award.credential.png), content_type="image/png"), award, "png")


@cache_control(public=True, max_age=3600)
def award_svg(request, public_id):
    award = _issued(public_id)
    return _download(HttpResponse(award.credential.svg, content_type="image/svg+xml"), award, "svg")


@login_required
@require_POST
def revoke(request, public_id):
    found = selectors.public_award(public_id)
    if not permissions.may_revoke(request.user, found):
        raise PermissionDenied("Only the awarding office's staff revoke awards.")
    back = _back_to_holders(request, found)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The award was not revoked: say why.")
        return redirect(back)
    try:
        services.revoke(award=found, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Revoked. The status list now says so to every verifier.")
    return redirect(back)


def _back_to_holders(request, award):
    """Where a revoke sent from the holders page returns: that page, with its filters (read back
    through a QueryDict, so only a query string of our own page); otherwise the award's page."""
    if "holders" not in request.POST:
        return award.get_absolute_url()
    query = QueryDict(request.POST.get("holders", "")).urlencode()
    url = reverse("badges:holders", args=[award.achievement.uuid])
    return f"{url}?{query}" if query else url
