"""The award's own pages: its public page, which gathers what each job says about it (the
credential and whether it verifies, the office's revocation and lapsed components, Credly, LinkedIn,
the transcript), the learner's choice of listing it, and the learner's awards."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from . import people, permissions, selectors
from .awarding import stacking
from .integrations import credly
from .integrations.sharing import linkedin_links, open_graph
from .issuing import documents, services
from .issuing.forms import RevokeForm
from .issuing.views import LD_JSON, VC_LD_JSON, award_json
from .learning.selectors import enrolments_of, progress


def _wants_json(request):
    accept = request.headers.get("Accept", "")
    return LD_JSON in accept or VC_LD_JSON in accept


def award(request, public_id):
    """The award's public page: who (never their email), what, issuer, date, status and whether the
    signature verifies; the credential itself when asked for JSON-LD. Both say ``Vary: Accept``, so
    that a shared cache never serves one for the other."""
    response = _award(request, public_id)
    patch_vary_headers(response, ["Accept"])
    return response


def _award(request, public_id):
    found = selectors.public_award(public_id)
    if _wants_json(request):
        return award_json(request, public_id)
    credential = selectors.credential_data(found)
    mine = permissions.is_learner_of(request.user, found)
    status = selectors.status_of(found)
    can_revoke = has_transition_perm(found.revoke, request.user)
    response = render(
        request,
        "badges/award.html",
        {
            "award": found,
            "download_name": people.download_name(found, "json").removesuffix(".json"),
            "status": status,
            "verified": services.verify_credential(credential) if credential else False,
            "credential": credential,
            "issuer_name": documents.institution_name(),
            "can_revoke": can_revoke,
            "revoke_form": RevokeForm(),
            "is_mine": mine,
            "enrolment": found.learner.enrolments.filter(achievement=found.achievement).first()
            if mine
            else None,
            "notes": selectors.award_notes(found) if mine else [],
            # Staff see when a micro-certificate's components no longer hold, and decide.
            "lapsed_components": stacking.missing_components(found) if can_revoke else [],
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


@login_required
def my_awards(request):
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
    if not permissions.is_learner_of(request.user, found):
        raise PermissionDenied("Only the learner chooses how their award is shared.")
    services.set_listed(award=found, listed=request.POST.get("listed") == "on")
    messages.success(
        request,
        "Saved: your award is listed publicly."
        if request.POST.get("listed") == "on"
        else "Saved: your award is reachable only by its link.",
    )
    return redirect(found)
