"""Proposal pages. Views parse the request, call one service or selector, and render."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from core.files import private_file
from core.ids import parse_id, query_text
from core.once import creates
from core.paging import KeysFirstPaginator

from . import permissions, selectors, services
from .extensions import detail_panels, stage_approvals
from .forms import (
    SECTIONS,
    SECTIONS_BY_SLUG,
    AlignmentForm,
    AttachmentForm,
    CommentForm,
    ConsultationForm,
    NewProposalForm,
    RevisionForm,
)
from .models import Competency, Unit
from .page import PAGE_SECTIONS
from .policy import (
    State,
    active_profile,
    check_proposal,
    needs_curriculum_approval,
    profile_states,
    resume_at,
)
from .versions import diff


def _section_status(problems, proposal):
    """Per section: (section, its problems, whether anything is in it yet), for the completeness
    indicator and the summary. Reads the proposal's prefetched parts only."""
    by_section = {s.slug: [] for s in SECTIONS}
    for problem in problems:
        by_section[problem.section].append(problem)
    p = proposal
    started = {
        "basics": True,
        "purpose": any([p.purpose, p.target_learners, p.employer_evidence]),
        "courses": bool(p.total_credits or p.courses.all() or p.experiences.all()),
        "outcomes": bool(p.competencies.all() or p.outcomes.all()),
        "activities": bool(p.activities.all() or p.assessments.all()),
        "alignment": any(o.activities.all() or o.assessments.all() for o in p.outcomes.all()),
        "evidence": any(
            [p.evidence_submission, p.evidence_evaluators, p.evidence_criteria, p.reflective_experience]
        ),
        "fees": p.fee_amount is not None or bool(p.fee_notes),
        "implementation": any(
            [p.advising_plan, p.progress_tracking_plan, p.instructor_qualification_plan, p.stacks_into]
        ),
        "attachments": bool(p.attachments.all()),
    }
    return [(section, by_section[section.slug], started[section.slug]) for section in SECTIONS]


@login_required
def my_proposals(request):
    state = request.GET.get("state", "") if request.GET.get("state") in dict(State.choices) else ""
    page = Paginator(selectors.my_proposals(request.user, state), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/my_proposals.html",
        {
            "page": page,
            "can_create": permissions.can_create(request.user),
            "state": state,
            "state_label": State.label(state) if state else "",
            "query_string": urlencode({"state": state}) if state else "",
        },
    )


@login_required
def search(request):
    q = query_text(request.GET.get("q"))
    unit = (
        Unit.objects.filter(pk=parse_id(request.GET.get("unit"))).first()
        if parse_id(request.GET.get("unit"))
        else None
    )
    competency = (
        Competency.objects.filter(pk=parse_id(request.GET.get("competency"))).first()
        if parse_id(request.GET.get("competency"))
        else None
    )
    state = request.GET.get("state", "") if request.GET.get("state") in dict(State.choices) else ""
    results = selectors.search_proposals(
        user=request.user, q=q, unit=unit, competency=competency, state=state
    )
    page = KeysFirstPaginator(results, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "proposals/search.html",
        {
            "page": page,
            "q": q,
            "unit": unit,
            "competency": competency,
            "state": state,
            "units": Unit.objects.filter(is_active=True),
            "competencies": Competency.objects.all(),
            "states": [(s, State.label(s)) for s in profile_states()],
        },
    )


@creates
@login_required
def create(request):
    if not permissions.can_create(request.user):
        raise PermissionDenied("Only faculty members may start a proposal.")
    form = NewProposalForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        proposal = services.create_proposal(author=request.user, **form.cleaned_data)
        messages.success(request, "Your draft is saved. Fill in each section at your own pace.")
        return redirect("proposals:edit", pk=proposal.pk, section="basics")
    return render(request, "proposals/create.html", {"form": form})


@login_required
def detail(request, pk):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    problems = check_proposal(proposal) if proposal.is_editable else []
    can_edit = permissions.can_edit(request.user, proposal)
    # Where a submission would go now, and why (a revision may have changed the route).
    submit_to, submit_why = resume_at(proposal, stage_approvals(proposal)) if can_edit else (None, "")
    since = selectors.changes_since_reviewed(proposal, request.user)
    # The navigation's entries, each with what changed there since the reader last reviewed it.
    page_nav = [(s, since.by_section.get(s.anchor, []) if since else []) for s in PAGE_SECTIONS]
    panels = detail_panels(request, proposal)
    return render(
        request,
        "proposals/detail.html",
        {
            "proposal": proposal,
            "sections": _section_status(problems, proposal),
            "problems": problems,
            "can_edit": can_edit,
            "submit_to": submit_to,
            # Withdrawing sits beside submitting while the authors hold the proposal; the transition says who may.
            "can_withdraw": can_edit and has_transition_perm(proposal.withdraw, request.user),
            "submit_why": submit_why,
            "is_author": permissions.is_author(request.user, proposal),
            "needs_curriculum_approval": needs_curriculum_approval(proposal),
            "comment_form": CommentForm(),
            "consultation_form": ConsultationForm(),
            "open_consultation": next((c for c in proposal.consultations.all() if c.closed_at is None), None),
            "completed_consultation": next((c for c in proposal.consultations.all() if c.is_completed), None),
            "profile": active_profile(),
            "panels": panels,
            "jumps": [jump for panel in panels for jump in panel["jumps"]],
            "since": since,
            "page_nav": page_nav,
            "changed_sections": [(s, changes) for s, changes in page_nav if changes],
            "can_duplicate": permissions.can_create(request.user),
            "revision": selectors.revision_links(proposal, request.user),
        },
    )


def _build_forms(section, proposal, data=None, files=None):
    built = []
    for prefix, form_class in section.forms:
        if form_class is AlignmentForm:
            built.append(form_class(data, prefix=prefix, proposal=proposal))
        else:
            built.append(form_class(data, files, instance=proposal, prefix=prefix))
    return built


@login_required
def edit(request, pk, section):
    section = SECTIONS_BY_SLUG.get(section)
    if section is None:
        raise Http404("No such section")
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    if not permissions.can_edit(request.user, proposal):
        raise PermissionDenied("Only the authors may edit this proposal while it is a draft.")

    if request.method == "POST":
        forms = _build_forms(section, proposal, request.POST, request.FILES)
        if all(form.is_valid() for form in forms):
            services.save_section(proposal=proposal, user=request.user, forms=forms)
            messages.success(request, f"“{section.title}” saved.")
            index = SECTIONS.index(section)
            if "continue" in request.POST and index + 1 < len(SECTIONS):
                return redirect("proposals:edit", pk=pk, section=SECTIONS[index + 1].slug)
            return redirect("proposals:edit", pk=pk, section=section.slug)
        messages.error(request, "Nothing was saved: correct the fields marked below and save again.")
    else:
        forms = _build_forms(section, proposal)

    # A refused POST leaves the forms' edits on ``proposal``: judge what is saved, not what was typed.
    saved = proposal if request.method == "GET" else selectors.prefetched().get(pk=pk)
    problems = check_proposal(saved)
    return render(
        request,
        "proposals/edit.html",
        {
            "proposal": proposal,
            "section": section,
            "forms": forms,
            "sections": _section_status(problems, saved),
            "needs": [p for p in problems if p.section == section.slug],
            "checking": request.GET.get("check") == "1",
            "next_section": _next(section),
            "attachment_form": AttachmentForm() if section.slug == "attachments" else None,
        },
    )


def _next(section):
    index = SECTIONS.index(section)
    return SECTIONS[index + 1] if index + 1 < len(SECTIONS) else None


@login_required
def versions(request, pk):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    all_versions = list(proposal.versions.all())
    numbers = [v.number for v in all_versions]
    try:
        old_number = int(request.GET.get("from") or (numbers[-2] if len(numbers) > 1 else 0))
        new_number = int(request.GET.get("to") or (numbers[-1] if numbers else 0))
    except ValueError:
        old_number = new_number = 0
    changes = old = new = None
    if old_number in numbers and new_number in numbers:
        pair = {v.number: v for v in proposal.versions.filter(number__in=[old_number, new_number])}
        old, new = pair[old_number], pair[new_number]
        changes = diff(old.data, new.data)
    return render(
        request,
        "proposals/versions.html",
        {
            "proposal": proposal,
            "versions": all_versions,
            "old": old,
            "new": new,
            "changes": changes,
        },
    )


@login_required
def version_detail(request, pk, number):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    version = get_object_or_404(proposal.versions, number=number)
    return render(
        request,
        "proposals/version_detail.html",
        {"proposal": proposal, "version": version, "can_duplicate": permissions.can_create(request.user)},
    )


@creates
@login_required
@require_POST
def duplicate(request, pk, number=None):
    """Copy the proposal, or one of its frozen versions, into a new draft of the person's own."""
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    version = get_object_or_404(proposal.versions, number=number) if number is not None else None
    copy = services.duplicate(proposal, request.user, version=version)
    messages.success(
        request, f"This is your new draft, “{copy.title}”: change what you need, then submit it."
    )
    return redirect(copy)


@creates
@login_required
def revise(request, pk):
    """Start a revision of a published micro-credential, from the date it is to take over."""
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    if not permissions.may_start_revision(request.user, proposal):
        raise PermissionDenied("Only its authors and the office that publishes it may revise it.")
    refused = services.revision_refused(proposal)
    if refused:
        messages.error(request, refused)
        return redirect(services.open_revision(proposal) or proposal)
    form = RevisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            revision = services.start_revision(
                proposal=proposal, user=request.user, effective_from=form.cleaned_data["effective_from"]
            )
        except ValidationError as invalid:
            messages.error(request, " ".join(invalid.messages))
            return redirect(proposal)
        messages.success(
            request,
            "This is the revision, a draft: change what needs changing and submit it. The published "
            "micro-credential stays open to learners until the revision is published and takes over.",
        )
        return redirect(revision)
    return render(request, "proposals/revise.html", {"proposal": proposal, "form": form})


@login_required
@require_POST
def upload_attachment(request, pk):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    if not permissions.can_edit(request.user, proposal):
        raise PermissionDenied("Only the authors may add attachments to a draft.")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = services.add_attachment(
                proposal=proposal,
                user=request.user,
                uploaded=form.cleaned_data["file"],
                purpose=form.cleaned_data["purpose"],
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, f"“{attachment.original_name}” attached.")
            return redirect("proposals:edit", pk=pk, section="attachments")
    messages.error(request, "The file was not attached: see the reason beside the file field.")
    problems = check_proposal(proposal)
    section = SECTIONS_BY_SLUG["attachments"]
    return render(
        request,
        "proposals/edit.html",
        {
            "proposal": proposal,
            "section": section,
            "forms": [],
            "sections": _section_status(problems, proposal),
            "needs": [],
            "attachment_form": form,
            "next_section": None,
        },
        status=400,
    )


def _attachment(request, pk, attachment_id):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    attachment = next((a for a in proposal.attachments.all() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404("No such attachment")
    return proposal, attachment


@login_required
def download_attachment(request, pk, attachment_id):
    _proposal, attachment = _attachment(request, pk, attachment_id)
    return private_file(attachment.file, attachment.original_name, attachment.content_type)


@login_required
@require_POST
def delete_attachment(request, pk, attachment_id):
    _proposal, attachment = _attachment(request, pk, attachment_id)
    services.remove_attachment(attachment=attachment, user=request.user)
    messages.success(request, f"“{attachment.original_name}” removed.")
    return redirect("proposals:edit", pk=pk, section="attachments")


@creates
@login_required
@require_POST
def comment(request, pk):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    form = CommentForm(request.POST)
    if form.is_valid():
        services.add_comment(proposal=proposal, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Comment added.")
    else:
        messages.error(request, "The comment was empty or too long; nothing was added.")
    return redirect(reverse("proposals:detail", args=[pk]) + "#comments")


@creates
@login_required
@require_POST
def consult(request, pk):
    proposal = selectors.proposal_for_page(pk=pk, user=request.user)
    form = ConsultationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The message is too long.")
        return redirect(proposal)
    services.request_consultation(proposal=proposal, user=request.user, message=form.cleaned_data["message"])
    messages.success(
        request,
        f"{active_profile().office_name} has been asked for a consultation; its staff "
        "can now read this draft and comment on it.",
    )
    return redirect(proposal)
