"""Committee votes: casting, changing and closing them, and the tally's arithmetic."""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from .. import permissions, selectors
from ..models import AuditEvent, Ballot, Vote
from .audit import record_in_place
from .notifications import notify
from .workflow import (
    StaleState,
    check_allowed,
    decide,
    enter_stage,
    lock,
    tells_the_office_of_missing_bodies,
)


@transaction.atomic
def cast_vote(*, proposal, user, choice, comment=""):
    """Cast or change a member's vote while the ballot is open. Authors never vote."""
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Choose approve, request changes, reject or abstain."})
    locked = lock(proposal)
    if not permissions.may_vote(locked, user):
        raise PermissionDenied(
            "Only the members of the reviewing body vote, and never on their own proposal."
        )
    ballot = Ballot.objects.select_for_update().filter(proposal=locked, closed_at__isnull=True).first()
    if ballot is None:
        raise StaleState("The vote has been closed; your vote was not recorded.")
    vote, created = Vote.objects.update_or_create(
        ballot=ballot, voter=user, defaults={"choice": choice, "comment": (comment or "").strip()}
    )
    record_in_place(
        locked,
        user,
        AuditEvent.Action.VOTE_CAST if created else AuditEvent.Action.VOTE_CHANGED,
        comment=vote.comment,
        tally={"choice": choice},
    )
    return vote


def count(ballot, proposal, votes=None, eligible=None):
    """The tally of a ballot: quorum, counts, and the outcome the rules give.

    Quorum is the body's setting, or a majority of its voting members (authors excluded); every
    vote returned, abstentions included, counts towards it. The decision is a majority of the votes
    cast for approve, request changes or reject; a tie or split with no majority is no decision.
    ``eligible`` (the eligible voters' ids) saves the query when the caller has them already.
    """
    eligible = eligible if eligible is not None else selectors.eligible_voters(ballot, proposal)
    votes = [v for v in (votes if votes is not None else ballot.votes.all()) if v.voter_id in set(eligible)]
    counts = Counter(v.choice for v in votes)
    quorum = ballot.body.quorum or len(eligible) // 2 + 1
    decisive = counts[Vote.Choice.APPROVE] + counts[Vote.Choice.REQUEST_CHANGES] + counts[Vote.Choice.REJECT]
    if len(votes) < quorum:
        outcome = Ballot.Outcome.NO_QUORUM
    else:
        winner = next(
            (
                c
                for c in (Vote.Choice.APPROVE, Vote.Choice.REQUEST_CHANGES, Vote.Choice.REJECT)
                if counts[c] * 2 > decisive
            ),
            None,
        )
        outcome = Ballot.Outcome(winner) if winner else Ballot.Outcome.NO_MAJORITY
    return {
        "eligible": len(eligible),
        "quorum": quorum,
        "returned": len(votes),
        "approve": counts[Vote.Choice.APPROVE],
        "request_changes": counts[Vote.Choice.REQUEST_CHANGES],
        "reject": counts[Vote.Choice.REJECT],
        "abstain": counts[Vote.Choice.ABSTAIN],
        "outcome": outcome.value,
    }


def progress(ballot, proposal, votes):
    """The tally of an open ballot, and how far the vote has got without what anyone chose: how
    many of the eligible members have voted, the quorum, whether it is reached, and who (by name)
    has not voted yet. Two queries whatever the size of the body. Returns (tally, progress)."""
    members = selectors.eligible_members(ballot, proposal)
    tally = count(ballot, proposal, votes, eligible=[u.pk for u in members])
    voted = {v.voter_id for v in votes}
    return tally, {
        "voted": tally["returned"],
        "eligible": tally["eligible"],
        "quorum": tally["quorum"],
        "quorum_reached": tally["returned"] >= tally["quorum"],
        "not_voted": [u for u in members if u.pk not in voted],
    }


@transaction.atomic
def remind_voters(*, proposal, user, ballot_id):
    """Email the eligible members who have not voted yet on the open ballot. Returns (reminded,
    not_voted): the notifications recorded now, and everyone who has not voted.

    Only the chair or staff of the ballot's body remind, never an author of the proposal. A member
    is reminded at most once per ballot per day, whoever presses and however often: the reminder's
    key (ballot, date, member) is unique in the database. Nobody is reminded once the ballot is
    closed (``StaleState``): the ballot row is locked, so a concurrent close is seen.
    """
    ballot = (
        Ballot.objects.select_for_update()
        .select_related("body")
        .filter(pk=ballot_id, proposal=proposal)
        .first()
    )
    if ballot is None or not permissions.runs_vote(ballot, proposal, user):
        raise PermissionDenied(
            "Only the chair or staff of the voting body remind its members, never on their own proposal."
        )
    if not ballot.is_open:
        raise StaleState("This vote is closed: nobody was reminded.")
    _tally, status = progress(ballot, proposal, list(ballot.votes.all()))
    subject = f"[{proposal.code or 'Micro-credential'}] {proposal.title}: your vote is awaited"
    body = (
        f"The vote of {ballot.body.name} on “{proposal.title}” is open and you have not voted yet. "
        f"{status['voted']} of {status['eligible']} eligible members have voted; the quorum is "
        f"{status['quorum']}."
    )
    reminded = notify(
        recipients=status["not_voted"],
        subject=subject,
        body=body,
        url=proposal.get_absolute_url() + "#vote",
        key=f"vote-reminder:{ballot.pk}:{timezone.localdate().isoformat()}",
        # The chair asks for the vote now: a digest would deliver it after the vote may be closed.
        urgent=True,
    )
    return reminded, status["not_voted"]


def describe(tally):
    outcome = Ballot.Outcome(tally["outcome"])
    figures = (
        f"{tally['approve']} approve, {tally['request_changes']} request changes, {tally['reject']} reject, "
        f"{tally['abstain']} abstain; {tally['returned']} of {tally['eligible']} voted, quorum {tally['quorum']}"
    )
    if outcome == Ballot.Outcome.NO_QUORUM:
        return f"No quorum ({figures}): this is not an approval. A new vote has been opened."
    if outcome == Ballot.Outcome.NO_MAJORITY:
        return f"No majority ({figures}): a tie or split is not an approval. A new vote has been opened."
    return f"{outcome.label} by majority ({figures})."


OUTCOME_DECISION = {
    Ballot.Outcome.APPROVED: "approve",
    Ballot.Outcome.CHANGES: "return",
    Ballot.Outcome.REJECTED: "reject",
}


@tells_the_office_of_missing_bodies
@transaction.atomic
def close_vote(*, proposal, user, ballot_id, comment="", meeting=None):
    """Close the open vote and let the tally decide. Returns (proposal, ballot).

    Only those the stage's transitions permit (the chair or staff of the body, never an author)
    close it. Exactly one of two concurrent closers wins: the ballot row is locked and the loser
    finds it closed (``StaleState``). Without quorum or majority the ballot is closed as such,
    nothing moves, and a new ballot opens.
    """
    locked = lock(proposal)
    ballot = (
        Ballot.objects.select_for_update()
        .select_related("body")
        .filter(pk=ballot_id, proposal=locked)
        .first()
    )
    if ballot is None:
        raise PermissionDenied("There is no such vote on this proposal.")
    if ballot.closed_at is not None or ballot.stage != locked.state:
        raise StaleState("This vote has already been closed by someone else. Nothing was changed.")
    # The stage's transitions say who may act here: the chair or staff of the body, never an author.
    check_allowed(locked, locked.return_for_revision, user)
    tally = count(ballot, locked)
    outcome = Ballot.Outcome(tally["outcome"])
    ballot.closed_at, ballot.closed_by, ballot.outcome, ballot.tally = timezone.now(), user, outcome, tally
    ballot.meeting = meeting
    ballot.save(update_fields=["closed_at", "closed_by", "outcome", "tally", "meeting"])
    summary = describe(tally)
    if outcome in OUTCOME_DECISION:
        decision_comment = (comment or "").strip() or summary
        locked = decide(
            proposal=locked,
            user=user,
            decision=OUTCOME_DECISION[outcome],
            comment=decision_comment,
            expected_state=locked.state,
            meeting=meeting,
            tally=tally,
        )
    else:
        record_in_place(
            locked,
            user,
            AuditEvent.Action.VOTE_CLOSED,
            comment=summary,
            tally=tally,
            meeting=meeting,
        )
        enter_stage(locked)
    return locked, ballot
