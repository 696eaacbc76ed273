"""The review app's panels on the proposal page: progress track, the actions open to the reader,
the vote, what changed since the reader last reviewed, internal notes and the history."""

from proposals.access import is_author
from proposals.policy import DECISION, VOTE, State, needs_fee_review, next_state, route, stage_for
from proposals.versions import diff

from . import roles
from .forms import CloseVoteForm, DecisionForm, InternalNoteForm, VoteForm
from .models import AuditEvent, InternalNote, Meeting
from .services import count, open_ballot

# Session key under which a decision refused for bad input waits to be shown again, filled in.
REFUSED_DECISION = "review-refused-decision"


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


def changes_since_last_review(proposal, user):
    """The diff between the version this person last acted on and the newest version."""
    versions = list(proposal.versions.all())
    if len(versions) < 2:
        return None
    last_seen = (
        AuditEvent.objects.filter(proposal=proposal, actor=user)
        .exclude(version_number=0)
        .order_by("-version_number")
        .values_list("version_number", flat=True)
        .first()
    )
    newest = versions[-1]
    if not last_seen or last_seen >= newest.number:
        return None
    old = next((v for v in versions if v.number == last_seen), None)
    if old is None:
        return None
    from proposals.models import ProposalVersion

    pair = {
        v.number: v
        for v in ProposalVersion.objects.filter(proposal=proposal, number__in=[old.number, newest.number])
    }
    return {
        "old": pair[old.number],
        "new": pair[newest.number],
        "changes": diff(pair[old.number].data, pair[newest.number].data),
    }


def workflow_panel(request, proposal):
    user = request.user
    stage = stage_for(proposal.state)
    authored = is_author(user, proposal)
    context = {
        "template": "review/includes/workflow_panel.html",
        "where": "top",
        "track": progress_track(proposal),
        "stage": stage,
        "authored": authored,
        "can_withdraw": authored and proposal.state in (State.DRAFT, State.RETURNED, *State.REVIEW_STAGES),
    }
    if stage is not None and not authored:
        body = roles.stage_body(proposal, stage)
        context["body"] = body
        if stage.decided_by == DECISION and roles.may_act_at_stage(proposal, user):
            refused = request.session.pop(REFUSED_DECISION, None)
            data = refused["data"] if refused and refused.get("proposal") == proposal.pk else None
            context["decision_form"] = DecisionForm(data)
        if stage.decided_by == VOTE:
            ballot = open_ballot(proposal)
            context["ballot"] = ballot
            if ballot is not None:
                votes = list(ballot.votes.select_related("voter"))
                mine = next((v for v in votes if v.voter_id == user.pk), None)
                if roles.may_vote(proposal, user):
                    context["vote_form"] = VoteForm(
                        initial={
                            "choice": mine.choice if mine else None,
                            "comment": mine.comment if mine else "",
                        }
                    )
                    context["my_vote"] = mine
                if roles.may_act_at_stage(proposal, user):
                    context["tally"] = count(ballot, proposal, votes)
                    context["votes"] = votes
                    context["close_form"] = CloseVoteForm(
                        meetings=Meeting.objects.filter(body=body).order_by("-date")[:10],
                        auto_id="id_close_%s",
                    )
                    context["final_fee_block"] = (
                        next_state(proposal) == State.APPROVED
                        and needs_fee_review(proposal)
                        and proposal.fee_review_signed_at is None
                    )
        if roles.membership_in(user, body) is not None:
            context["notes"] = InternalNote.objects.filter(proposal=proposal, body=body).select_related(
                "author"
            )
            context["note_form"] = InternalNoteForm()
        if context.get("decision_form") or context.get("vote_form") or context.get("close_form"):
            context["since_last"] = changes_since_last_review(proposal, user)
    if proposal.state == State.RETURNED:
        context["returned_event"] = (
            AuditEvent.objects.filter(proposal=proposal, action=AuditEvent.Action.RETURNED)
            .select_related("actor")
            .order_by("-created_at")
            .first()
        )
    office = roles.is_office_staff(user) and not authored
    context["can_sign_fees"] = (
        office
        and needs_fee_review(proposal)
        and proposal.fee_review_signed_at is None
        and proposal.state in State.REVIEW_STAGES
    )
    context["fee_review_needed"] = needs_fee_review(proposal)
    context["can_publish"] = office and proposal.state == State.APPROVED
    context["can_retire"] = office and proposal.state == State.PUBLISHED
    return context


def history_panel(request, proposal):
    events = list(AuditEvent.objects.filter(proposal=proposal).select_related("actor", "meeting"))
    # Members' individual vote comments stay within the body; everyone reads the decisions.
    body = roles.stage_body(proposal) if proposal.state in State.REVIEW_STAGES else None
    in_body = request.user.is_superuser or (
        body is not None and roles.membership_in(request.user, body) is not None
    )
    vote_actions = {AuditEvent.Action.VOTE_CAST, AuditEvent.Action.VOTE_CHANGED}
    rows = [
        {"event": e, "show_comment": bool(e.comment) and (in_body or e.action not in vote_actions)}
        for e in events
    ]
    return {"template": "review/includes/history_panel.html", "where": "aside", "rows": rows}
