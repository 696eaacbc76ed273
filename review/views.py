"""Review pages and workflow actions. Each action view parses the form, calls one service and
redirects; a refused action is a 403, a stale one a clear message, never a 500."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.ids import parse_id
from core.once import creates
from core.people import full_name
from core.spreadsheets import csv_text
from proposals import selectors as proposal_selectors
from proposals.policy import active_profile
from proposals.services import SubmissionRefused

from . import permissions, selectors, services, trends
from .forms import (
    AgendaAddForm,
    CloseVoteForm,
    CompleteConsultationForm,
    DecisionForm,
    DeliveryForm,
    FeeSignoffForm,
    InternalNoteForm,
    MeetingForm,
    MoveToProfileForm,
    ReasonForm,
    RetireForm,
    VoteForm,
)
from .models import Meeting, Membership, NotificationPreference
from .panels import REFUSED_CONSULTATION, REFUSED_DECISION


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
    messages.success(request, f"{what} to {proposal.state_label} as version {version.number}.")
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
    body = permissions.stage_body(proposal)
    form = CloseVoteForm(request.POST, meetings=Meeting.objects.filter(body=body) if body else [])
    if not form.is_valid() or parse_id(request.POST.get("ballot")) is None:
        messages.error(request, "The meeting chosen is not one of this body's meetings.")
        return None
    proposal, ballot = services.close_vote(
        proposal=proposal,
        user=request.user,
        ballot_id=parse_id(request.POST.get("ballot")),
        comment=form.cleaned_data["comment"],
        meeting=form.cleaned_data["meeting"],
    )
    messages.info(
        request,
        f"Vote closed. {services.describe(ballot.tally)} The proposal is now “{proposal.state_label}”.",
    )
    return None


@workflow_action
def remind_voters(request, proposal):
    reminded, not_voted = services.remind_voters(
        proposal=proposal, user=request.user, ballot_id=parse_id(request.POST.get("ballot"))
    )
    if reminded:
        names = ", ".join(full_name(n.recipient) for n in reminded)
        plural = "s" if len(reminded) != 1 else ""
        messages.success(request, f"Reminded {len(reminded)} member{plural} who had not voted: {names}.")
    elif not_voted:
        messages.info(request, "Everyone who has not voted was reminded today already.")
    else:
        messages.info(request, "Every eligible member has voted: nobody was reminded.")
    return None


def _optional_text(form, name):
    """The optional text of an action (a reason, a note), or, when it is refused (too long, a NUL
    character), a ValidationError that ``workflow_action`` shows before anything has changed."""
    if not form.is_valid():
        raise ValidationError([f"{form[name].label}: {error}" for error in form.errors[name]])
    return form.cleaned_data[name]


@workflow_action
def withdraw(request, proposal):
    reason = _optional_text(ReasonForm(request.POST), "reason")
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
    form = RetireForm(request.POST)
    reason = _optional_text(form, "reason")
    services.retire(
        proposal=proposal,
        user=request.user,
        reason=reason,
        confirm_dependents=form.cleaned_data["confirm_dependents"],
    )
    messages.success(request, "Retired: no new learners can join it.")
    return None


@workflow_action
def fee_signoff(request, proposal):
    note = _optional_text(FeeSignoffForm(request.POST), "note")
    services.sign_off_fees(proposal=proposal, user=request.user, note=note)
    messages.success(request, "Fee review signed off.")
    return None


@workflow_action
def move_to_profile(request, proposal):
    form = MoveToProfileForm(request.POST)
    if not form.is_valid():
        raise ValidationError(form.errors["comment"])
    proposal = services.move_to_profile(
        proposal=proposal, user=request.user, comment=form.cleaned_data["comment"]
    )
    messages.success(
        request,
        f"Moved to the {proposal.policy_profile.name} policy profile: it starts that profile's route at "
        f"“{proposal.state_label}”. The decision and its reason are in its history.",
    )
    return None


@workflow_action
def complete_consultation(request, proposal):
    form = CompleteConsultationForm(request.POST)
    if not form.is_valid():
        # Shown again, filled in and with the error beside its field, on the proposal page.
        request.session[REFUSED_CONSULTATION] = {"proposal": proposal.pk, "data": request.POST.dict()}
        messages.error(request, "The consultation was not completed: see the message beside the field.")
        return None
    services.complete_consultation(proposal=proposal, user=request.user, rigor=form.cleaned_data["rigor"])
    messages.success(request, "Consultation completed; the level of rigor agreed is recorded.")
    return None


@creates
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
            "task": todo,
            # Straight to the panel of the proposal page where the task is done.
            "url": todo.url(p),
            "days": (now - p.stage_entered_at).days if p.stage_entered_at else None,
        }
        for p, todo in ((p, task(p)) for p in page.object_list)
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


def _office_only(user):
    if not (permissions.is_office_staff(user) or user.is_superuser):
        raise PermissionDenied(f"The pipeline dashboard is for {active_profile().office_name} staff.")


@login_required
def dashboard(request):
    _office_only(request.user)
    return render(request, "review/dashboard.html", selectors.dashboard())


@login_required
def dashboard_csv(request):
    """One chart of the dashboard (``?chart=`` its key) as CSV: the same cells as its table."""
    _office_only(request.user)
    chart = trends.trend(request.GET.get("chart", ""))
    if chart is None:
        raise Http404("There is no such chart on the dashboard.")
    response = HttpResponse(csv_text(chart.columns, chart.table), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{chart.key}-{timezone.localdate():%Y-%m-%d}.csv"'
    )
    return response


# --- email settings ------------------------------------------------------------------------------


SAVED_DELIVERY = {
    NotificationPreference.Delivery.IMMEDIATE: "Saved: you will get each email as it happens.",
    NotificationPreference.Delivery.DAILY: "Saved: you will get a daily digest, from the next digest time.",
    NotificationPreference.Delivery.WEEKLY: "Saved: you will get a weekly digest, from the next digest time.",
}


@login_required
def email_settings(request):
    """The signed-in person chooses how they get their emails: always their own preference."""
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            preference = services.set_delivery(user=request.user, delivery=form.cleaned_data["delivery"])
            messages.success(request, SAVED_DELIVERY[preference.delivery])
            return redirect("review:email_settings")
        messages.error(request, "Nothing was saved: see the message beside the choice.")
    else:
        form = DeliveryForm(initial={"delivery": selectors.notification_preference(request.user).delivery})
    return render(
        request,
        "review/email_settings.html",
        {"form": form, "digest_hour": settings.DIGEST_HOUR, "digest_weekday": settings.DIGEST_WEEKDAY},
    )


# --- meetings ------------------------------------------------------------------------------------


def _meeting_for(user, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("body"), pk=pk)
    if permissions.membership_in(user, meeting.body) is None and not user.is_superuser:
        raise PermissionDenied("Only the members of this body see its meetings.")
    return meeting


@login_required
def meetings(request):
    bodies = list(selectors.bodies_run_by(request.user))
    member_of = [m.body_id for m in Membership.objects.filter(user=request.user, is_active=True)]
    upcoming = Meeting.objects.filter(body_id__in=member_of).select_related("body").order_by("-date")[:50]
    form = MeetingForm()
    return render(request, "review/meetings.html", {"bodies": bodies, "meetings": upcoming, "form": form})


@creates
@login_required
@require_POST
def meeting_create(request, body_id):
    body = get_object_or_404(selectors.bodies_run_by(request.user), pk=body_id)
    form = MeetingForm(request.POST)
    if form.is_valid():
        meeting = services.create_meeting(body=body, user=request.user, **form.cleaned_data)
        messages.success(request, "Meeting created; add proposals to its agenda.")
        return redirect("review:meeting", pk=meeting.pk)
    messages.error(request, "Give the meeting a date and time.")
    return redirect("review:meetings")


@login_required
def meeting_detail(request, pk):
    meeting = _meeting_for(request.user, pk)
    runs = selectors.bodies_run_by(request.user).filter(pk=meeting.body_id).exists()
    items = meeting.items.select_related("proposal", "proposal__unit", "proposal__lead_author")
    return render(
        request,
        "review/meeting.html",
        {
            "meeting": meeting,
            "items": items,
            "runs": runs,
            "add_form": AgendaAddForm(candidates=selectors.agenda_candidates(meeting)) if runs else None,
            "decisions": meeting.ballots.select_related("proposal").order_by("closed_at"),
        },
    )


@login_required
@require_POST
def agenda_change(request, pk):
    meeting = _meeting_for(request.user, pk)
    action = request.POST.get("action")
    proposal = None
    if action == "add":
        form = AgendaAddForm(request.POST, candidates=selectors.agenda_candidates(meeting))
        proposal = form.cleaned_data["proposal"] if form.is_valid() else None
    item = request.POST.get("item", "")
    try:
        said = services.change_agenda(
            meeting=meeting,
            user=request.user,
            action=action,
            item_id=parse_id(item),
            proposal=proposal,
        )
    except ValidationError as invalid:
        for message in invalid.messages:
            messages.error(request, message)
    else:
        if action == "add":
            messages.success(request, said)
    return redirect("review:meeting", pk=meeting.pk)
