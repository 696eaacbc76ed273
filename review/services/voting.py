"""Committee votes: casting, changing and closing them, and the tally's arithmetic."""

from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from core.people import name_in_records

from .. import permissions, selectors
from ..models import AuditEvent, Ballot, BallotVoter, Membership, Vote
from .audit import record_in_place
from .notifications import notify
from .stages import StaleState, check_allowed, enter_stage, lock, tells_the_office_of_missing_bodies
from .workflow import decide


@transaction.atomic
def cast_vote(*, proposal, user, choice, comment=""):
    """Cast or change a vote while the ballot is open: only its recorded voters who are still
    voting members of the body with an active account, never an author (``permissions.vote_refusal``
    says why not, in the ``PermissionDenied``)."""
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Choose approve, request changes, reject or abstain."})
    locked = lock(proposal)
    ballot = (
        Ballot.objects.select_for_update()
        .filter(proposal=locked, closed_at__isnull=True)
        .annotate(recorded=Exists(BallotVoter.objects.filter(ballot=OuterRef("pk"), user=user)))
        .first()
    )
    # Without an open ballot the refusal is about the stage and the membership; the vote is closed.
    refusal = permissions.vote_refusal(locked, user, recorded=ballot is None or ballot.recorded)
    if refusal:
        raise PermissionDenied(refusal)
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


def count(ballot, votes=None, voters=None):
    """The tally of a ballot: quorum, counts, and the outcome the rules give.

    The voters are those the ballot recorded when it opened (``BallotVoter``), whatever has
    happened to the body's memberships since: the votes of those who have left the body or whose
    account is deactivated stay counted, and they stay among the recorded voters the quorum is
    taken from (``left`` and ``deactivated`` say how many). Quorum is the body's setting, or a
    majority of the recorded voters; every vote returned, abstentions included, counts towards it.
    The decision is a majority of the votes cast for approve, request changes or reject; a tie or
    split with no majority is no decision. ``voters`` (``selectors.recorded_voters``) saves the
    query when the caller has them already.
    """
    voters = voters if voters is not None else selectors.recorded_voters(ballot)
    recorded = {u.pk for u in voters}
    votes = [v for v in (votes if votes is not None else ballot.votes.all()) if v.voter_id in recorded]
    counts = Counter(v.choice for v in votes)
    quorum = ballot.body.quorum or len(voters) // 2 + 1
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
        "eligible": len(voters),
        "quorum": quorum,
        "returned": len(votes),
        "approve": counts[Vote.Choice.APPROVE],
        "request_changes": counts[Vote.Choice.REQUEST_CHANGES],
        "reject": counts[Vote.Choice.REJECT],
        "abstain": counts[Vote.Choice.ABSTAIN],
        "left": sum(1 for u in voters if not u.member_now),
        "deactivated": sum(1 for u in voters if not u.is_active),
        "outcome": outcome.value,
    }


def progress(ballot, votes, voters=None):
    """The tally of an open ballot, and how far the vote has got without what anyone chose: how
    many of the recorded voters have voted, the quorum, whether it is reached, who (by name) may
    still vote and has not, and who among the recorded voters cannot vote now (left the body, or
    account deactivated) with what that means for the count. Two queries whatever the size of the
    body (one when ``voters`` is given). Returns (tally, progress)."""
    voters = voters if voters is not None else selectors.recorded_voters(ballot)
    tally = count(ballot, votes, voters)
    voted = {v.voter_id for v in votes}
    cannot_vote = [u for u in voters if not (u.member_now and u.is_active)]
    return tally, {
        "voted": tally["returned"],
        "eligible": tally["eligible"],
        "quorum": tally["quorum"],
        "quorum_reached": tally["returned"] >= tally["quorum"],
        "not_voted": [u for u in voters if u.pk not in voted and u.member_now and u.is_active],
        "cannot_vote": [
            (u, "no longer a voting member" if not u.member_now else "account deactivated")
            for u in cannot_vote
        ],
        "changes": _changes(tally, ballot.body.name),
    }


def _changes(tally, body_name):
    """What the page says about recorded voters who cannot vote now, and how the count treats them."""
    said = []
    for key, one, many in (
        (
            "left",
            f"is no longer a voting member of {body_name}",
            f"are no longer voting members of {body_name}",
        ),
        ("deactivated", "has a deactivated account", "have deactivated accounts"),
    ):
        n = tally.get(key, 0)
        if n:
            said.append(
                f"{n} of the {tally['eligible']} recorded voters {one if n == 1 else many}: still counted "
                f"among the recorded voters for the quorum; {'a vote' if n == 1 else 'their votes'} cast "
                f"before stay{'s' if n == 1 else ''} counted; they cannot vote now."
            )
    return said


@transaction.atomic
def remind_voters(*, proposal, user, ballot_id):
    """Email the recorded voters who have not voted yet and can vote now on the open ballot. Returns
    (reminded, not_voted): the notifications recorded now, and everyone who has not voted.

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
    _tally, status = progress(ballot, list(ballot.votes.all()))
    subject = f"[{proposal.code or 'Micro-credential'}] {proposal.title}: your vote is awaited"
    body = (
        f"The vote of {ballot.body.name} on “{proposal.title}” is open and you have not voted yet. "
        f"{status['voted']} of {status['eligible']} recorded voters have voted; the quorum is "
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
        f"{tally['abstain']} abstain; {tally['returned']} of {tally['eligible']} recorded voters voted, "
        f"quorum {tally['quorum']}"
    )
    # Tallies written before the voters were recorded have neither figure.
    gone = [
        f"{tally[key]} {what}"
        for key, what in (("left", "no longer members"), ("deactivated", "with a deactivated account"))
        if tally.get(key)
    ]
    if gone:
        figures += f"; of the recorded voters, {' and '.join(gone)}, their votes cast before counted"
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
    tally = count(ballot)
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


def record_membership_change(change):
    """A change of a voting membership of a body while it has votes open (``MembershipChange``,
    written for every save or delete by ``review.membership_log``): each open ballot's proposal's
    history says what changed and what it means for that vote, whose recorded voters, quorum and
    cast votes stay as they were. A change that concerns only staff, who do not vote, is not told.
    Returns the events written."""
    voting = Membership.VOTING_ROLES
    voted_before = (
        change.action != change.Action.ADDED and change.active_before and change.role_before in voting
    )
    votes_now = change.action != change.Action.REMOVED and change.active_after and change.role_after in voting
    actor = change.changed_by or change.person
    if change.body_id is None or actor is None or not (voted_before or votes_now):
        return []
    ballots = (
        Ballot.objects.filter(body_id=change.body_id, closed_at__isnull=True)
        .annotate(
            recorded=Exists(BallotVoter.objects.filter(ballot=OuterRef("pk"), user_id=change.person_id))
        )
        .select_related("proposal")
    )
    by = (
        f"Changed by {name_in_records(change.changed_by)}."
        if change.changed_by
        else "Who made the change was not recorded."
    )
    events = []
    for ballot in ballots:
        if not ballot.recorded:
            meaning = (
                "They were not one of this vote's recorded voters when it opened, so they do not vote on "
                "it; its quorum and count are unchanged."
            )
        elif votes_now:
            meaning = "They are one of this vote's recorded voters and may vote on it."
        else:
            meaning = (
                "They are one of this vote's recorded voters: a vote they cast before stays counted, "
                "they cannot vote now, and the quorum is still taken from the voters recorded when it opened."
            )
        events.append(
            record_in_place(
                ballot.proposal,
                actor,
                AuditEvent.Action.VOTER_MEMBERSHIP_CHANGED,
                comment=f"{_what_changed(change)} while this vote was open. {meaning} {by}",
            )
        )
    return events


def _what_changed(change):
    who, body = change.person_name, change.body_name

    def role(value):
        return Membership.Role(value).label.lower() if value in Membership.Role.values else value

    if change.action == change.Action.ADDED:
        return f"{who} joined {body} as {role(change.role_after)}"
    if change.action == change.Action.REMOVED:
        return f"{who}'s membership of {body} ({role(change.role_before)}) was removed"
    what = []
    if change.active_before != change.active_after:
        what.append("reactivated" if change.active_after else "deactivated")
    if change.role_before != change.role_after:
        what.append(f"changed from {role(change.role_before)} to {role(change.role_after)}")
    return f"{who}'s membership of {body} was {' and '.join(what)}"
