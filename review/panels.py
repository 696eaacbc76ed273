"""The review app's panels on the proposal page: progress track, the actions open to the reader,
the vote, internal notes and the history. (What changed since the reader last reviewed is the
proposal page's own: ``proposals.selectors.changes_since_reviewed``.)"""

from types import SimpleNamespace

from proposals import selectors as proposal_selectors
from proposals.policy import (
    DECISION,
    VOTE,
    BodyKind,
    State,
    active_profile,
    current_stage,
    fee_review_valid,
    needs_fee_review,
    next_state,
    profile_of,
    route,
    sponsor_unit_ids,
)

from . import permissions, selectors
from .forms import (
    CloseVoteForm,
    CompleteConsultationForm,
    DecisionForm,
    InternalNoteForm,
    MoveToProfileForm,
    VoteForm,
)
from .models import AuditEvent, InternalNote, Meeting
from .services import progress

# Session key under which a decision refused for bad input waits to be shown again, filled in.
REFUSED_DECISION = "review-refused-decision"
REFUSED_CONSULTATION = "review-refused-consultation"


def _refused(request, key, proposal):
    """The data of a form refused for bad input on this proposal, to show it again with its errors."""
    refused = request.session.pop(key, None)
    return refused["data"] if refused and refused.get("proposal") == proposal.pk else None


def progress_track(proposal):
    """Every stage of the proposal's route with its status: done, current, returned from, stopped
    at (rejected or withdrawn there) or still to come."""
    stages = [(s.state, s.label) for s in route(proposal)] + [
        (State.APPROVED, "Approved"),
        (State.PUBLISHED, "Published"),
    ]
    order = [state for state, _label in stages]
    ended = proposal.state in (State.REJECTED, State.WITHDRAWN)
    if ended:
        # Where it stopped: the stage the last transition left.
        where = (
            AuditEvent.objects.filter(proposal=proposal, to_state=proposal.state)
            .order_by("-created_at")
            .values_list("from_state", flat=True)
            .first()
        )
        where = proposal.returned_from if where == State.RETURNED else where
    elif proposal.state == State.RETURNED:
        where = proposal.returned_from
    elif proposal.state == State.RETIRED:
        where = None
    else:
        where = proposal.state
    position = (
        order.index(where) if where in order else (len(order) if proposal.state == State.RETIRED else -1)
    )
    track = []
    for index, (state, label) in enumerate(stages):
        if index < position:
            status = "done"
        elif index == position:
            status = "stopped" if ended else "returned" if proposal.state == State.RETURNED else "current"
        else:
            status = "upcoming"
        track.append({"state": state, "label": label, "status": status})
    return track


def workflow_panel(request, proposal):
    """The route, and the actions the reader may take: what the reader may do here is their
    ``Standing`` (``review.permissions``), asked once and rendered."""
    me = permissions.standing(proposal, request.user)
    stage, body = me.stage, me.body
    context = {
        "template": "review/includes/workflow_panel.html",
        "where": "top",
        "standing": me,
        "track": progress_track(proposal),
        "stage": stage,
        "authored": me.authored,
        "can_withdraw": me.may_withdraw,
        "can_publish": me.may_publish,
        "can_retire": me.may_retire,
        # Retiring warns first when published micro-certificates are built on it.
        "retire_dependents": (
            list(proposal_selectors.dependents(proposal, published_only=True)) if me.may_retire else []
        ),
        "routed": _last_routing(proposal),
    }
    if stage is not None:
        context["body"] = body
        if stage.body_kind == BodyKind.UNIT_COMMITTEE and len(sponsor_unit_ids(proposal)) > 1:
            context["unit_approvals"] = _unit_approvals(proposal)
        if stage.decided_by == DECISION and me.acts_here:
            context["decision_form"] = DecisionForm(_refused(request, REFUSED_DECISION, proposal))
        if stage.decided_by == VOTE:
            _vote_context(context, proposal, me)
        if me.reads_notes:
            context["notes"] = InternalNote.objects.filter(proposal=proposal, body=body).select_related(
                "author"
            )
            context["note_form"] = InternalNoteForm()
    if proposal.state == State.RETURNED:
        context["returned_event"] = (
            AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.RETURNED)
            .select_related("actor")
            .order_by("-created_at")
            .first()
        )
    office_stage = profile_of(proposal).office_stage
    # The office of the proposal's own profile signs its fees off (it decides that stage).
    context["fee_office_name"] = profile_of(proposal).office_name
    fee_needed = needs_fee_review(proposal)
    context["fee_review_needed"] = fee_needed
    context["fee_review_valid"] = fee_needed and fee_review_valid(proposal)
    context["office_stage"] = office_stage
    context["can_sign_fees"] = (
        fee_needed
        and not context["fee_review_valid"]
        and proposal.state == office_stage.state
        and me.may_sign_off_fees
    )
    if proposal.under_other_profile:
        # Reviewed under the profile it was submitted under; the active office may move it.
        context["other_profile"] = profile_of(proposal)
        context["active_profile"] = active_profile()
        context["can_move_profile"] = me.may_move_to_profile
        if me.may_move_to_profile:
            context["move_profile_form"] = MoveToProfileForm(auto_id="id_move_%s")
    open_consultation = next((c for c in proposal.consultations.all() if c.closed_at is None), None)
    if open_consultation is not None and me.may_consult:
        context["consultation"] = open_consultation
        context["consultation_form"] = CompleteConsultationForm(
            _refused(request, REFUSED_CONSULTATION, proposal), auto_id="id_consult_%s"
        )
    # Two parts: the route and the proposal's standing at the top of the page; the reader's own
    # actions after what changed since they last reviewed it, which they read before acting.
    return [
        context,
        {
            **context,
            "template": "review/includes/actions_panel.html",
            "where": "actions",
            "jumps": _jumps(context),
        },
    ]


def _jumps(context):
    """Links from the page's navigation to the actions open to the reader, the reader's own first:
    a reviewer halfway down a long proposal is one click from the vote or the decision."""
    jumps = [{"anchor": "route-heading", "label": "Approval route", "primary": False, "route": True}]
    if context.get("decision_form"):
        jumps.append({"anchor": "decide-heading", "label": "Record your decision", "primary": True})
    if context.get("vote_form"):
        label = "Change your vote" if context.get("my_vote") else "Cast your vote"
        jumps.append({"anchor": "vote", "label": label, "primary": True})
    if context.get("close_form"):
        jumps.append({"anchor": "vote", "label": "Close the vote", "primary": not context.get("vote_form")})
    elif context.get("ballot") and not context.get("vote_form"):
        jumps.append({"anchor": "vote", "label": "The vote", "primary": False})
    if context.get("can_publish"):
        jumps.append({"anchor": "publish-heading", "label": "Publish", "primary": True})
    if context.get("consultation_form"):
        jumps.append(
            {"anchor": "consultation-done-heading", "label": "Complete the consultation", "primary": True}
        )
    if context.get("can_move_profile"):
        jumps.append(
            {"anchor": "move-profile-heading", "label": "Move to the active profile", "primary": False}
        )
    if context.get("can_sign_fees") or context.get("can_retire") or context.get("can_withdraw"):
        jumps.append({"anchor": "actions-heading", "label": "Other actions", "primary": False})
    return jumps


def _vote_context(context, proposal, me):
    ballot = selectors.open_ballot(proposal)
    context["ballot"] = ballot
    if ballot is None:
        return
    votes = list(ballot.votes.all())
    # The voters the ballot recorded when it opened (one query), for anyone but an author: who may
    # vote, the progress and the count are all over them.
    voters = None if me.authored else selectors.recorded_voters(ballot)
    refusal = me.vote_refusal(recorded=voters is not None and any(u.pk == me.user.pk for u in voters))
    mine = next((v for v in votes if v.voter_id == me.user.pk), None)
    if not refusal:
        context["vote_form"] = VoteForm(
            initial={"choice": mine.choice if mine else None, "comment": mine.comment if mine else ""}
        )
        context["my_vote"] = mine
    elif refusal != permissions.NOT_A_VOTER:
        # Told to those who would otherwise look for the vote form: authors, members who joined after
        # the vote opened, recorded voters who left the body.
        context["why_not_vote"] = refusal
    if not me.sees_vote_progress(ballot):
        return
    # How far the vote has got, never who chose what: there is no setting that shows that.
    tally, status = progress(ballot, votes, voters)
    context["progress"] = status
    context["runs_vote"] = me.runs_vote(ballot)
    if me.acts_here:
        context["tally"] = tally
        context["close_form"] = CloseVoteForm(
            meetings=Meeting.objects.filter(body=me.body).order_by("-date")[:10],
            auto_id="id_close_%s",
        )
        context["final_fee_block"] = (
            next_state(proposal) == State.APPROVED
            and needs_fee_review(proposal)
            and not fee_review_valid(proposal)
        )


def _unit_approvals(proposal):
    """Each sponsoring unit at unit review, with its committee's approval if given."""
    approved = {e.unit_id: e for e in selectors.unit_approval_events(proposal).select_related("actor")}
    return [{"unit": u, "event": approved.get(u.pk)} for u in permissions.sponsor_units(proposal)]


def _last_routing(proposal):
    """Why a resubmitted proposal went where it is, while it is still there."""
    if proposal.state not in State.REVIEW_STAGES:
        return None
    return (
        AuditEvent.objects.filter(
            proposal=proposal, action=AuditEvent.Action.RESUBMITTED, to_state=proposal.state
        )
        .exclude(comment="")
        .order_by("-created_at")
        .values_list("comment", flat=True)
        .first()
    )


def _cast_at_this_stage(event, proposal):
    """A vote event of the proposal's current stage, since it last arrived there."""
    since = proposal.stage_entered_at
    return event.from_state == proposal.state and (since is None or event.created_at >= since)


def history_panel(request, proposal):
    events = list(AuditEvent.objects.filter(proposal=proposal).select_related("actor", "meeting"))
    # Members' individual vote comments stay within the body; everyone reads the decisions.
    body = permissions.stage_body(proposal) if proposal.state in State.REVIEW_STAGES else None
    in_body = request.user.is_superuser or (
        body is not None and permissions.membership_in(request.user, body) is not None
    )
    vote_actions = {AuditEvent.Action.VOTE_CAST, AuditEvent.Action.VOTE_CHANGED}
    # While the stage's vote is under way nobody reads the members' vote comments, the chair
    # included: a comment tells how its writer voted.
    stage = current_stage(proposal)
    voting = stage is not None and stage.decided_by == VOTE
    # Written by the product, not by a person: shown as an explanation, not a quotation.
    system = {
        AuditEvent.Action.SUBMITTED,
        AuditEvent.Action.RESUBMITTED,
        AuditEvent.Action.FEE_SIGNOFF_VOIDED,
        AuditEvent.Action.PUBLISHED,  # only ever says what a publication of a revision means
        AuditEvent.Action.VOTER_MEMBERSHIP_CHANGED,
    }
    rows = [_revision_started(proposal)] if proposal.revision_of_id is not None else []
    rows += [
        {
            "event": e,
            "show_comment": bool(e.comment)
            and (
                e.action not in vote_actions
                or (in_body and not (voting and _cast_at_this_stage(e, proposal)))
            ),
            "system_comment": e.action in system,
        }
        for e in events
    ]
    return {"template": "review/includes/history_panel.html", "where": "aside", "rows": rows}


def _revision_started(proposal):
    """A revision's first line of history: who started it, of what and from when. The revision's own
    row is that record (``revision_of``, ``revision_started_by``, when it was made), written once."""
    started_by = proposal.revision_started_by or proposal.lead_author
    event = SimpleNamespace(
        action="revision_started",
        get_action_display="Revision started",
        actor=started_by,
        created_at=proposal.created_at,
        version_number=0,
        from_state="",
        to_state="",
        meeting=None,
        comment=f"A revision of {proposal.revision_of}, to replace it from "
        f"{proposal.effective_from:%-d %B %Y} once approved and published.",
    )
    return {"event": event, "show_comment": True, "system_comment": True}
