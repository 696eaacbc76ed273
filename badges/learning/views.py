"""Pages for learners (catalog, joining, evidence, progress) and evaluators (queue, review)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.files import private_file
from core.people import names_from_institution
from proposals.models import Competency

from .. import people, permissions
from .. import selectors as badge_selectors
from ..issuing import documents
from ..models import Achievement, Award, Enrolment, Evidence
from . import selectors, services
from .forms import CatalogFilterForm, EvidenceForm, JoinForm, NamesForm, ReviewEvidenceForm


def catalog(request):
    """Published micro-credentials, for anyone: what a learner needs to know before joining; search
    and filters in the URL, so that a department links its own list."""
    form = CatalogFilterForm(
        request.GET or None, units=selectors.catalog_units(), competencies=Competency.objects.all()
    )
    filters = form.filters() if request.GET else {}
    return render(
        request,
        "badges/catalog.html",
        {"achievements": selectors.catalog(**filters), "form": form, "filtered": bool(filters)},
    )


def catalog_detail(request, uuid):
    achievement = get_object_or_404(
        Achievement.objects.select_related("proposal", "proposal__unit"), uuid=uuid
    )
    proposal = achievement.proposal
    allowed, why = permissions.may_join(request.user, achievement)
    replaces, replaced_by = selectors.related_versions(achievement)
    enrolment = award = None
    if request.user.is_authenticated:
        enrolment = Enrolment.objects.filter(learner=request.user, achievement=achievement).first()
        award = Award.objects.filter(learner=request.user, achievement=achievement).first()
    return render(
        request,
        "badges/catalog_detail.html",
        {
            "achievement": achievement,
            "proposal": proposal,
            "outcomes": proposal.outcomes.prefetch_related("competencies"),
            "parts": selectors.required_parts(achievement),
            "may_join": allowed,
            "why_not": why,
            "enrolment": enrolment,
            "award": award,
            "join_form": JoinForm(),
            "may_see_holders": permissions.may_see_holders(request.user, achievement),
            "replaces": replaces,
            "replaced_by": replaced_by,
            # Only holders who chose to list their award are shown, by name.
            "holders": Award.objects.filter(
                achievement__proposal=proposal, listed=True, state=Award.State.ISSUED
            ).select_related("learner__learner")[:20],
        },
    )


@login_required
@require_POST
def join(request, uuid):
    achievement = get_object_or_404(Achievement.objects.select_related("proposal"), uuid=uuid)
    form = JoinForm(request.POST)
    form.is_valid()
    enrolment = services.join(
        user=request.user,
        achievement=achievement,
        evidence_public=form.cleaned_data.get("evidence_public", False),
        listed=form.cleaned_data.get("listed", False),
    )
    messages.success(
        request, f"You have joined “{achievement.name}”. Submit your evidence for each assessment."
    )
    return redirect("badges:enrolment", pk=enrolment.pk)


def _my_enrolment(request, pk):
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("achievement", "achievement__proposal").prefetch_related("evidence"),
        pk=pk,
    )
    if not permissions.is_learner_of(request.user, enrolment):
        raise Http404("No such enrolment")
    return enrolment


@login_required
def enrolment(request, pk):
    enrolment = _my_enrolment(request, pk)
    award = badge_selectors.awards_of(request.user).filter(achievement=enrolment.achievement).first()
    return render(
        request, "badges/enrolment.html", {"enrolment": enrolment, "rows": _rows(enrolment), "award": award}
    )


def _rows(enrolment, refused_part=None, refused_form=None):
    """Each part with its evidence and a form to submit it (the refused one filled in, with errors)."""
    return [
        {
            "part": part,
            "title": title,
            "evidence": evidence,
            "form": refused_form if part == refused_part else EvidenceForm(prefix=part.replace(":", "-")),
        }
        for part, title, evidence in selectors.progress(enrolment)
    ]


@login_required
@require_POST
def submit_evidence(request, pk, part):
    enrolment = _my_enrolment(request, pk)
    form = EvidenceForm(request.POST, request.FILES, prefix=part.replace(":", "-"))
    if form.is_valid():
        try:
            services.submit_evidence(
                enrolment=enrolment,
                user=request.user,
                part=part,
                text=form.cleaned_data["text"],
                link=form.cleaned_data["link"],
                uploaded=form.cleaned_data["file"],
            )
        except ValidationError as invalid:
            for message in invalid.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Evidence submitted. Your evaluator will review it.")
            return redirect("badges:enrolment", pk=enrolment.pk)
    rows = _rows(enrolment, part, form)
    messages.error(request, "The evidence was not submitted: see the message beside it.")
    return render(request, "badges/enrolment.html", {"enrolment": enrolment, "rows": rows}, status=400)


@login_required
def evaluation_queue(request):
    return render(
        request, "badges/evaluation_queue.html", {"items": selectors.evaluation_queue(request.user)[:200]}
    )


def _evidence_for_evaluator(request, pk):
    evidence = get_object_or_404(
        Evidence.objects.select_related("enrolment__learner__learner", "enrolment__achievement__proposal"),
        pk=pk,
    )
    if not permissions.may_see_evidence(request.user, evidence):
        raise Http404("No such evidence")
    return evidence, permissions.is_learner_of(request.user, evidence.enrolment)


@login_required
def review(request, pk):
    evidence, is_learner = _evidence_for_evaluator(request, pk)
    if is_learner:
        return redirect("badges:enrolment", pk=evidence.enrolment_id)
    form = ReviewEvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            award = services.review_evidence(
                evidence=evidence,
                user=request.user,
                decision=form.cleaned_data["decision"],
                feedback=form.cleaned_data["feedback"],
            )
        except ValidationError as invalid:
            for message in invalid.messages:
                messages.error(request, message)
        except PermissionDenied:
            raise
        else:
            if award is not None:
                messages.success(request, "Accepted. That was the last piece: the award is being issued.")
            elif form.cleaned_data["decision"] == "accept":
                messages.success(request, "Accepted.")
            else:
                messages.success(request, "Returned to the learner with your feedback.")
            return redirect("badges:evaluation_queue")
    return render(request, "badges/review.html", {"evidence": evidence, "form": form})


@login_required
def evidence_file(request, pk):
    evidence, _is_learner = _evidence_for_evaluator(request, pk)
    if not evidence.file:
        raise Http404("No file")
    return private_file(evidence.file, evidence.original_name, evidence.content_type)


@login_required
def names(request):
    """Your names, and how your credentials name you; with the credentials that still show an
    earlier name, and a button to have them re-issued."""
    user = request.user
    learner = people.learner_row(user)
    initial = {"first_name": user.first_name, "last_name": user.last_name}
    if learner is not None:
        initial |= {
            "credential_name": learner.credential_name,
            "name_on_credentials": learner.name_on_credentials,
        }
    institution = documents.institution_name() if names_from_institution(user) else None
    form = NamesForm(
        request.POST or None, initial=initial, learner=learner is not None, institution=institution
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_names(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Your names are saved.")
            return redirect("badges:names")
    outdated = services.credentials_with_another_name(user) if learner is not None else []
    return render(request, "badges/names.html", {"form": form, "learner": learner, "outdated": outdated})


@login_required
@require_POST
def reissue_names(request):
    """Re-issue the credentials that still show an earlier name (safe to send twice)."""
    count = services.reissue_with_new_name(user=request.user)
    if count:
        messages.success(
            request,
            f"{count} credential{'s' if count != 1 else ''} re-issued with your name as you now give it. "
            "Download the new badges from your awards: the earlier files no longer verify as current.",
        )
    else:
        messages.info(request, "Your credentials already show your name as you give it.")
    return redirect("badges:names")
