"""Review pages and workflow actions. Each action view parses the form, calls one service and
redirects; a refused action is a 403, a stale one a clear message, never a 500."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from proposals import selectors as proposal_selectors
from proposals.models import Proposal
from proposals.policy import active_profile
from proposals.services import SubmissionRefused

from . import roles, selectors, services
from .forms import (
    AgendaAddForm,
    CloseVoteForm,
    DecisionForm,
    InternalNoteForm,
    MeetingForm,
    ReasonForm,
    VoteForm,
)
from .models import AgendaItem, Meeting, Membership, ReviewBody
from .panels import REFUSED_DECISION


def workflow_action(view):
    """Load the proposal the person may read (404 otherwise), run the action, and turn a stale
    state or an invalid input into a message on the proposal page."""

    @login_required
    @require_POST
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        proposal = proposal_selectors.proposal_for_page(pk=pk, user=request.user)
        try:
            response = view(request, proposal, *args, **kwargs)
        except services.StaleState as stale:
            messages.warning(request, str(stale))
        except ValidationError as invalid:
            for message in invalid.messages:
                messages.error(request, message)
        else:
            if response is not None:
                return response
        return redirect(proposal)

    return wrapper


@workflow_action
def submit(request, proposal):
    try:
        proposal, version = services.submit(proposal=proposal, user=request.user)
    except SubmissionRefused as refused:
        count = len(refused.problems)
        messages.error(
            request,
            f"The proposal was not submitted: {count} thing{'s' if count != 1 else ''} still need"
            f"{'' if count != 1 else 's'} attention. Each is marked beside its field.",
        )
        first = refused.problems[0]
        return redirect(reverse("proposals:edit", args=[proposal.pk, first.section]) + "?check=1")
    what = "Resubmitted" if version.number > 1 else "Submitted"
    messages.success(request, f"{what} for {proposal.state_label.lower()} as version {version.number}.")
    return None


@workflow_action
def decide(request, proposal):
    form = DecisionForm(request.POST)
    if not form.is_valid():
        # Shown again, filled in and with each error beside its field, on the proposal page.
        request.session[REFUSED_DECISION] = {"proposal": proposal.pk, "data": request.POST.dict()}
        messages.error(request, "The decision was not recorded: see the message beside the field.")
        return None
    decision = form.cleaned_data["decision"]
    proposal = services.decide(
        proposal=proposal,
        user=request.user,
        decision=decision,
        comment=form.cleaned_data["comment"],
        expected_state=request.POST.get("expected_state", ""),
    )
    messages.success(request, f"Decision recorded. The proposal is now “{proposal.state_label}”.")
    return None


@workflow_action
def vote(request, proposal):
    form = VoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose approve, request changes, reject or abstain.")
        return None
    cast = services.cast_vote(
        proposal=proposal,
        user=request.user,
        choice=form.cleaned_data["choice"],
        comment=form.cleaned_data["comment"],
    )
    messages.success(
        request,
        f"Your vote “{cast.get_choice_display()}” is recorded. You may change it until the vote is closed.",
    )
    return None


@workflow_action
def close_vote(request, proposal):
    body = roles.stage_body(proposal)
    form = CloseVoteForm(request.POST, meetings=Meeting.objects.filter(body=body) if body else [])
    if not form.is_valid() or not request.POST.get("ballot", "").isdigit():
        messages.error(request, "The meeting chosen is not one of this body's meetings.")
        return None
    proposal, ballot = services.close_vote(
        proposal=proposal,
        user=request.user,
        ballot_id=int(request.POST["ballot"]),
        comment=form.cleaned_data["comment"],
        meeting=form.cleaned_data["meeting"],
    )
    messages.info(
        request,
        f"Vote closed. {services.describe(ballot.tally)} The proposal is now “{proposal.state_label}”.",
    )
    return None


@workflow_action
def withdraw(request, proposal):
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.withdraw(proposal=proposal, user=request.user, reason=reason)
    messages.success(request, "The proposal is withdrawn.")
    return None


@workflow_action
def publish(request, proposal):
    services.publish(proposal=proposal, user=request.user)
    messages.success(request, "Published: the micro-credential can now be awarded.")
    return None


@workflow_action
def retire(request, proposal):
    form = ReasonForm(request.POST)
    services.retire(
        proposal=proposal, user=request.user, reason=form.cleaned_data["reason"] if form.is_valid() else ""
    )
    messages.success(request, "Retired: no new learners can join it.")
    return None


@workflow_action
def fee_signoff(request, proposal):
    services.sign_off_fees(proposal=proposal, user=request.user, note=request.POST.get("note", ""))
    messages.success(request, "Fee review signed off.")
    return None


@workflow_action
def note(request, proposal):
    form = InternalNoteForm(request.POST)
    if form.is_valid():
        services.add_internal_note(proposal=proposal, user=request.user, text=form.cleaned_data["text"])
        messages.success(request, "Internal note added.")
    else:
        messages.error(request, "Write the note first.")
    return None


# --- queues and dashboard ------------------------------------------------------------------------


@login_required
def my_queue(request):
    sort = request.GET.get("sort", "waiting")
    sort = sort if sort in selectors.SORTS else "waiting"
    queryset, task = selectors.queue(request.user, sort)
    page = Paginator(queryset, 25).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [
        {
            "proposal": p,
            "task": task(p),
            "days": (now - p.stage_entered_at).days if p.stage_entered_at else None,
        }
        for p in page.object_list
    ]
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "rows": rows,
            "sort": sort,
            "sorts": selectors.SORTS,
            "query_string": f"sort={sort}",
            "overdue_days": selectors.overdue_days(),
        },
    )


@login_required
def dashboard(request):
    if not (roles.is_office_staff(request.user) or request.user.is_superuser):
        raise PermissionDenied(f"The pipeline dashboard is for {active_profile().office_name} staff.")
    return render(request, "review/dashboard.html", selectors.dashboard())


# --- meetings ------------------------------------------------------------------------------------


def _run_bodies(user):
    """Bodies whose meetings this person runs: where they are chair or staff."""
    return ReviewBody.objects.filter(
        memberships__user=user,
        memberships__is_active=True,
        memberships__role__in=[Membership.Role.CHAIR, Membership.Role.STAFF],
    ).distinct()


def _meeting_for(user, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    if roles.membership_in(user, meeting.body) is None and not user.is_superuser:
        raise PermissionDenied("Only the members of this body see its meetings.")
    return meeting


@login_required
def meetings(request):
    bodies = list(_run_bodies(request.user))
    member_of = [m.body_id for m in Membership.objects.filter(user=request.user, is_active=True)]
    upcoming = Meeting.objects.filter(body_id__in=member_of).select_related("body").order_by("-date")[:50]
    form = MeetingForm()
    return render(request, "review/meetings.html", {"bodies": bodies, "meetings": upcoming, "form": form})


@login_required
@require_POST
def meeting_create(request, body_id):
    body = get_object_or_404(_run_bodies(request.user), pk=body_id)
    form = MeetingForm(request.POST)
    if form.is_valid():
        meeting = form.save(commit=False)
        meeting.body, meeting.created_by = body, request.user
        meeting.save()
        messages.success(request, "Meeting created; add proposals to its agenda.")
        return redirect("review:meeting", pk=meeting.pk)
    messages.error(request, "Give the meeting a date and time.")
    return redirect("review:meetings")


def _candidates(meeting):
    stages = selectors.stages_of(meeting.body.kind)
    queryset = Proposal.objects.filter(state__in=stages).exclude(agenda_items__meeting=meeting)
    if meeting.body.unit_id:
        from proposals.models import Unit

        queryset = queryset.filter(unit_id__in=Unit.objects.subtree_ids([meeting.body.unit_id]))
    return queryset.order_by("title")


@login_required
def meeting_detail(request, pk):
    meeting = _meeting_for(request.user, pk)
    runs = meeting.body in _run_bodies(request.user)
    items = meeting.items.select_related("proposal", "proposal__unit", "proposal__lead_author")
    return render(
        request,
        "review/meeting.html",
        {
            "meeting": meeting,
            "items": items,
            "runs": runs,
            "add_form": AgendaAddForm(candidates=_candidates(meeting)) if runs else None,
            "decisions": meeting.ballots.select_related("proposal").order_by("closed_at"),
        },
    )


@login_required
@require_POST
def agenda_change(request, pk):
    meeting = _meeting_for(request.user, pk)
    if meeting.body not in _run_bodies(request.user):
        raise PermissionDenied("Only the chair or staff of the body build its agenda.")
    action = request.POST.get("action")
    with transaction.atomic():
        items = list(meeting.items.select_for_update())
        if action == "add":
            form = AgendaAddForm(request.POST, candidates=_candidates(meeting))
            if form.is_valid():
                AgendaItem.objects.create(
                    meeting=meeting, proposal=form.cleaned_data["proposal"], position=len(items)
                )
                messages.success(request, f"“{form.cleaned_data['proposal'].title}” added to the agenda.")
            else:
                messages.error(request, "Choose a proposal waiting for this body.")
        else:
            item = next((i for i in items if str(i.pk) == request.POST.get("item")), None)
            if item is None:
                messages.error(request, "That item is no longer on the agenda.")
            elif action == "remove":
                item.delete()
                items.remove(item)
            elif action in ("up", "down"):
                index = items.index(item)
                other = index - 1 if action == "up" else index + 1
                if 0 <= other < len(items):
                    items[index], items[other] = items[other], items[index]
            for position, agenda_item in enumerate(items):
                if agenda_item.position != position:
                    agenda_item.position = position
                    agenda_item.save(update_fields=["position"])
    return redirect("review:meeting", pk=meeting.pk)
