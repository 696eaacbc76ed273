"""Public documents a verifier fetches (issuer, keys, achievements, status list), each award's
public page, credential and baked images, the learner's own awards, and revocation."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from . import credly, documents, selectors, services, stacking
from .forms import RevokeForm
from .models import Achievement, IssuerKey, StatusList
from .sharing import linkedin_links, open_graph

LD_JSON = "application/ld+json"
VC_LD_JSON = "application/vc+ld+json"


def _json(document, content_type=LD_JSON):
    return HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=2), content_type=f"{content_type}; charset=utf-8"
    )


@cache_control(public=True, max_age=300)
def issuer(request):
    """The issuer's profile and controller document: every key, and under ``assertionMethod`` every
    key but a compromised one."""
    return _json(documents.controller_document(selectors.published_keys()))


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
def status_list(request, purpose):
    found = get_object_or_404(StatusList, purpose=purpose)
    if not found.credential_json:
        raise Http404("The status list has not been published yet.")
    return HttpResponse(found.credential_json, content_type=f"{VC_LD_JSON}; charset=utf-8")


def _wants_json(request):
    accept = request.headers.get("Accept", "")
    return LD_JSON in accept or VC_LD_JSON in accept


def award(request, public_id):
    """The award's public page: who (never their email), what, issuer, date, status and whether the
    signature verifies; the credential itself when asked for JSON-LD."""
    found = selectors.public_award(public_id)
    if _wants_json(request):
        return award_json(request, public_id)
    credential = selectors.credential_data(found)
    mine = request.user.is_authenticated and request.user.pk == found.learner_id
    status = selectors.status_of(found)
    response = render(
        request,
        "badges/award.html",
        {
            "award": found,
            "status": status,
            "verified": services.verify_credential(credential) if credential else False,
            "credential": credential,
            "issuer_name": documents.institution_name(),
            "can_revoke": services.may_revoke(found, request.user) and found.state == found.State.ISSUED,
            "revoke_form": RevokeForm(),
            "is_mine": mine,
            "enrolment": found.learner.enrolments.filter(achievement=found.achievement).first()
            if mine
            else None,
            "notes": services.award_notes(found) if mine else [],
            # Staff see when a micro-certificate's components no longer hold, and decide.
            "lapsed_components": stacking.missing_components(found)
            if found.state == found.State.ISSUED and services.may_revoke(found, request.user)
            else [],
            "credly_badge": credly.shown_to(found, request.user),
            # Only the learner adds it to LinkedIn, and only while the institution stands behind it.
            "linkedin": linkedin_links(found, credential)
            if mine and status in ("valid", "expired")
            else None,
            "open_graph": open_graph(found, status=status),
        },
    )
    # Cacheable for the public; a signed-in reader's page carries their forms and must not be shared.
    if request.user.is_authenticated:
        patch_cache_control(response, private=True, no_store=True)
    else:
        patch_cache_control(response, public=True, max_age=60)
    return response


def _credential(public_id):
    found = selectors.public_award(public_id)
    if found.credential_id is None:
        raise Http404("This award is still being issued.")
    return found.credential


@cache_control(public=True, max_age=3600)
def award_json(request, public_id):
    credential = _credential(public_id)
    content_type = VC_LD_JSON if VC_LD_JSON in request.headers.get("Accept", "") else LD_JSON
    return HttpResponse(credential.json, content_type=f"{content_type}; charset=utf-8")


@cache_control(public=True, max_age=3600)
def award_png(request, public_id):
    response = HttpResponse(bytes(_credential(public_id).png), content_type="image/png")
    response["Content-Disposition"] = 'attachment; filename="badge.png"'
    return response


@cache_control(public=True, max_age=3600)
def award_svg(request, public_id):
    response = HttpResponse(_credential(public_id).svg, content_type="image/svg+xml")
    response["Content-Disposition"] = 'attachment; filename="badge.svg"'
    return response


@login_required
def my_awards(request):
    from .learning import enrolments_of, progress

    awards = list(selectors.awards_of(request.user))
    awarded = {a.achievement_id for a in awards}
    in_progress = [
        {"enrolment": e, "parts": progress(e)}
        for e in enrolments_of(request.user)
        if e.achievement_id not in awarded
    ]
    return render(request, "badges/my_awards.html", {"awards": awards, "in_progress": in_progress})


@login_required
@require_POST
def sharing(request, public_id):
    """The learner lists their award publicly, or keeps it reachable only by its link."""
    found = selectors.public_award(public_id)
    if found.learner_id != request.user.pk:
        raise PermissionDenied("Only the learner chooses how their award is shared.")
    services.set_listed(award=found, listed=request.POST.get("listed") == "on")
    messages.success(
        request,
        "Saved: your award is listed publicly."
        if request.POST.get("listed") == "on"
        else "Saved: your award is reachable only by its link.",
    )
    return redirect(found)


@login_required
@require_POST
def revoke(request, public_id):
    found = selectors.public_award(public_id)
    if not services.may_revoke(found, request.user):
        raise PermissionDenied("Only the awarding office's staff revoke awards.")
    form = RevokeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The award was not revoked: say why.")
        return redirect(found)
    try:
        services.revoke(award=found, user=request.user, reason=form.cleaned_data["reason"])
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Revoked. The status list now says so to every verifier.")
    return redirect(found)
