"""Writes of the review app: every workflow action, vote and sign-off, each in one transaction.

Each action locks the proposal row first (``select_for_update``), checks that the proposal is still
where the person saw it, fires the django-fsm transition, writes the audit trail and queues the
emails for after the commit. Two people acting on the same proposal at once queue on the lock; the
second finds the state moved on and gets ``StaleState`` with a clear message, never a second
transition.
"""

import contextlib
import contextvars
from collections import Counter

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from proposals import services as proposal_services
from proposals.models import Proposal
from proposals.policy import DECISION, VOTE, State, active_profile, needs_fee_review, stage_for

from . import roles
from .models import AuditEvent, Ballot, InternalNote, Membership, Notification, Vote

StaleState = proposal_services.StaleState


# --- notifications ---------------------------------------------------------------------------


_quiet = contextvars.ContextVar("quiet_notifications", default=False)


@contextlib.contextmanager
def quietly():
    """Run workflow actions without emailing anyone (the demo data's made-up history)."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def notify(*, recipients, subject, body, url="", key=None):
    """Record one notification per distinct recipient with an email address and enqueue the sends
    after commit. With ``key``, a notification already recorded under that key is not repeated."""
    from .tasks import send_notification

    if _quiet.get():
        return []
    seen, created = set(), []
    for user in recipients:
        if user.pk in seen or not user.email or not user.is_active:
            continue
        seen.add(user.pk)
        row_key = f"{key}:{user.pk}" if key else None
        if row_key and Notification.objects.filter(key=row_key).exists():
            continue
        try:
            with transaction.atomic():
                note = Notification.objects.create(
                    recipient=user, subject=subject, body=body, url=url, key=row_key
                )
        except IntegrityError:  # recorded by a concurrent run under the same key
            continue
        created.append(note)
    for notification in created:
        transaction.on_commit(lambda pk=notification.pk: send_notification.delay(pk))
    return created


def authors_of(proposal):
    return [proposal.lead_author, *proposal.co_authors.all()]


def next_actors(proposal):
    """Who must act now that the proposal is where it is."""
    if proposal.state in State.REVIEW_STAGES:
        body = roles.stage_body(proposal)
        if body is None:
            return []
        members = Membership.objects.filter(body=body, is_active=True).select_related("user")
        authors = {u.pk for u in authors_of(proposal)}
        return [m.user for m in members if m.user_id not in authors]
    if proposal.state == State.APPROVED:
        return office_staff()
    return []


def office_staff():
    profile = active_profile()
    return [
        m.user
        for m in Membership.objects.filter(
            body__kind=profile.office_body,
            body__profile=profile.key,
            role=Membership.Role.STAFF,
            is_active=True,
        ).select_related("user")
    ]


def _announce(proposal, what):
    url = reverse("proposals:detail", args=[proposal.pk])
    stage = proposal.state_label
    subject = f"[{proposal.code or 'Micro-credential'}] {proposal.title}: {stage}"
    body = f"“{proposal.title}” {what}. It is now at the stage: {stage}."
    actors = next_actors(proposal)
    if actors:
        notify(recipients=actors, subject=subject, body=body + " It is waiting for you.", url=url)
    actor_ids = {u.pk for u in actors}
    notify(
        recipients=[u for u in authors_of(proposal) if u.pk not in actor_ids],
        subject=subject,
        body=body,
        url=url,
    )


# --- audit -------------------------------------------------------------------------------------


def _latest_version(proposal):
    return proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0


def record(proposal, actor, action, *, from_state="", to_state="", comment="", tally=None, meeting=None):
    return AuditEvent.objects.create(
        proposal=proposal,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        version_number=_latest_version(proposal),
        comment=comment,
        tally=tally or {},
        meeting=meeting,
    )


# --- entering a stage --------------------------------------------------------------------------


def _entered(proposal):
    """What happens whenever a proposal arrives somewhere: a committee stage opens its vote."""
    stage = stage_for(proposal.state)
    if stage is not None and stage.decided_by == VOTE:
        Ballot.objects.create(
            proposal=proposal,
            body=roles.stage_body(proposal, stage),
            stage=proposal.state,
            version_number=_latest_version(proposal),
        )


def _lock(proposal, expected_state=None):
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if expected_state is not None and locked.state != expected_state:
        raise StaleState(
            f"Someone else acted first: the proposal is now “{locked.state_label}”. Nothing was changed."
        )
    return locked


def _fire(proposal, transition, user, **kwargs):
    if not has_transition_perm(transition, user):
        if not can_proceed(transition):
            raise ValidationError(_blocked_reason(proposal))
        raise PermissionDenied("You may not take this action on this proposal.")
    transition(by=user, **kwargs)
    proposal.save()


def _blocked_reason(proposal):
    if needs_fee_review(proposal) and proposal.fee_review_signed_at is None:
        return (
            "The additional fees beyond tuition need a fee review sign-off by "
            f"{active_profile().office_name} staff before final approval."
        )
    return "This action is not possible at this stage."


# --- the actions ---------------------------------------------------------------------------------


@transaction.atomic
def submit(*, proposal, user):
    """Submit a draft, or resubmit a returned proposal to the stage that returned it."""
    before = Proposal.objects.get(pk=proposal.pk).state
    proposal, version = proposal_services.submit_proposal(proposal=proposal, user=user)
    action = AuditEvent.Action.RESUBMITTED if before == State.RETURNED else AuditEvent.Action.SUBMITTED
    record(proposal, user, action, from_state=before, to_state=proposal.state)
    _entered(proposal)
    _announce(proposal, "was resubmitted after revision" if before == State.RETURNED else "was submitted")
    return proposal, version


DECISIONS = {
    "approve": ("approve_stage", AuditEvent.Action.APPROVED, "was approved at the previous stage"),
    "return": ("return_for_revision", AuditEvent.Action.RETURNED, "was returned for revision"),
    "reject": ("reject", AuditEvent.Action.REJECTED, "was rejected"),
}


@transaction.atomic
def decide(*, proposal, user, decision, comment="", expected_state, meeting=None, tally=None):
    """One reviewer's decision at a decision stage (unit review, ASA review), or the chair's
    transition after a vote. A comment is required to return or reject."""
    if decision not in DECISIONS:
        raise ValidationError({"decision": "Choose approve, return for revision or reject."})
    comment = (comment or "").strip()
    if decision in ("return", "reject") and not comment:
        raise ValidationError({"comment": "Say why: a comment is required to return or reject a proposal."})
    locked = _lock(proposal, expected_state)
    stage = stage_for(locked.state)
    if tally is None and (stage is None or stage.decided_by != DECISION):
        raise PermissionDenied("This stage is decided by a committee vote.")
    method, action, what = DECISIONS[decision]
    from_state = locked.state
    _fire(locked, getattr(locked, method), user)
    record(
        locked,
        user,
        action,
        from_state=from_state,
        to_state=locked.state,
        comment=comment,
        tally=tally,
        meeting=meeting,
    )
    _entered(locked)
    _announce(locked, what if decision != "approve" else f"was approved at {State.label(from_state)}")
    return locked


@transaction.atomic
def withdraw(*, proposal, user, reason=""):
    locked = _lock(proposal)
    from_state = locked.state
    if locked.state not in (State.DRAFT, State.RETURNED, *State.REVIEW_STAGES):
        raise StaleState(f"A proposal that is “{locked.state_label}” can no longer be withdrawn.")
    _fire(locked, locked.withdraw, user)
    Ballot.objects.filter(proposal=locked, closed_at__isnull=True).update(
        closed_at=timezone.now(), closed_by=user, outcome=""
    )
    record(
        locked,
        user,
        AuditEvent.Action.WITHDRAWN,
        from_state=from_state,
        to_state=locked.state,
        comment=(reason or "").strip(),
    )
    return locked


def _office_transition(proposal, user, *, source, method, action, what, comment=""):
    """Publish or retire: the office's own transitions, from one state, recorded and announced."""
    locked = _lock(proposal, source)
    _fire(locked, getattr(locked, method), user)
    record(locked, user, action, from_state=source, to_state=locked.state, comment=(comment or "").strip())
    _announce(locked, what)
    return locked


@transaction.atomic
def publish(*, proposal, user):
    return _office_transition(
        proposal,
        user,
        source=State.APPROVED,
        method="publish",
        action=AuditEvent.Action.PUBLISHED,
        what="was published",
    )


@transaction.atomic
def retire(*, proposal, user, reason=""):
    return _office_transition(
        proposal,
        user,
        source=State.PUBLISHED,
        method="retire",
        action=AuditEvent.Action.RETIRED,
        what="was retired",
        comment=reason,
    )


@transaction.atomic
def sign_off_fees(*, proposal, user, note=""):
    """Record the fee review sign-off that Binghamton requires before approving a credit-bearing
    micro-credential with additional fees. Signing twice changes nothing."""
    locked = _lock(proposal)
    if not roles.is_office_staff(user) or roles.is_author(user, locked):
        raise PermissionDenied(f"Only {active_profile().office_name} staff sign off the fee review.")
    if not needs_fee_review(locked):
        raise ValidationError("This proposal charges no additional fees; there is no fee review to sign off.")
    if locked.fee_review_signed_at is None:
        Proposal.objects.filter(pk=locked.pk).update(
            fee_review_signed_by=user, fee_review_signed_at=timezone.now()
        )
        record(
            locked,
            user,
            AuditEvent.Action.FEE_SIGNOFF,
            from_state=locked.state,
            to_state=locked.state,
            comment=(note or "").strip(),
        )
    locked.refresh_from_db()
    return locked


# --- voting --------------------------------------------------------------------------------------


def open_ballot(proposal):
    return Ballot.objects.filter(proposal=proposal, closed_at__isnull=True).select_related("body").first()


@transaction.atomic
def cast_vote(*, proposal, user, choice, comment=""):
    """Cast or change a member's vote while the ballot is open. Authors never vote."""
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": "Choose approve, request changes, reject or abstain."})
    locked = _lock(proposal)
    if not roles.may_vote(locked, user):
        raise PermissionDenied(
            "Only the members of the reviewing body vote, and never on their own proposal."
        )
    ballot = Ballot.objects.select_for_update().filter(proposal=locked, closed_at__isnull=True).first()
    if ballot is None:
        raise StaleState("The vote has been closed; your vote was not recorded.")
    vote, created = Vote.objects.update_or_create(
        ballot=ballot, voter=user, defaults={"choice": choice, "comment": (comment or "").strip()}
    )
    record(
        locked,
        user,
        AuditEvent.Action.VOTE_CAST if created else AuditEvent.Action.VOTE_CHANGED,
        from_state=locked.state,
        to_state=locked.state,
        comment=vote.comment,
        tally={"choice": choice},
    )
    return vote


def eligible_voters(ballot, proposal):
    authors = {u.pk for u in authors_of(proposal)}
    return [
        m.user_id
        for m in Membership.objects.filter(body=ballot.body, is_active=True)
        if m.votes and m.user_id not in authors
    ]


def count(ballot, proposal, votes=None):
    """The tally of a ballot: quorum, counts, and the outcome the rules give.

    Quorum is the body's setting, or a majority of its voting members (authors excluded); every
    vote returned, abstentions included, counts towards it. The decision is a majority of the votes
    cast for approve, request changes or reject; a tie or split with no majority is no decision.
    """
    eligible = eligible_voters(ballot, proposal)
    votes = [v for v in (votes if votes is not None else ballot.votes.all()) if v.voter_id in set(eligible)]
    counts = Counter(v.choice for v in votes)
    quorum = ballot.body.quorum or len(eligible) // 2 + 1
    decisive = counts["approve"] + counts["request_changes"] + counts["reject"]
    if len(votes) < quorum:
        outcome = Ballot.Outcome.NO_QUORUM
    else:
        winner = next((c for c in ("approve", "request_changes", "reject") if counts[c] * 2 > decisive), None)
        outcome = Ballot.Outcome(winner) if winner else Ballot.Outcome.NO_MAJORITY
    return {
        "eligible": len(eligible),
        "quorum": quorum,
        "returned": len(votes),
        "approve": counts["approve"],
        "request_changes": counts["request_changes"],
        "reject": counts["reject"],
        "abstain": counts["abstain"],
        "outcome": outcome.value,
    }


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


@transaction.atomic
def close_vote(*, proposal, user, ballot_id, comment="", meeting=None):
    """Close the open vote and let the tally decide. Returns (proposal, ballot).

    Only the chair or staff of the body close it, never an author. Exactly one of two concurrent
    closers wins: the ballot row is locked and the loser finds it closed (``StaleState``).
    Without quorum or majority the ballot is closed as such, nothing moves, and a new ballot opens.
    """
    locked = _lock(proposal)
    ballot = (
        Ballot.objects.select_for_update()
        .select_related("body")
        .filter(pk=ballot_id, proposal=locked)
        .first()
    )
    membership = roles.membership_in(user, ballot.body) if ballot else None
    if (
        membership is None
        or membership.role not in (Membership.Role.CHAIR, Membership.Role.STAFF)
        or roles.is_author(user, locked)
    ):
        raise PermissionDenied(
            "Only the chair or staff of the body close its vote, and never on their own proposal."
        )
    if ballot.closed_at is not None or ballot.stage != locked.state:
        raise StaleState("This vote has already been closed by someone else. Nothing was changed.")
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
        record(
            locked,
            user,
            AuditEvent.Action.VOTE_CLOSED,
            from_state=locked.state,
            to_state=locked.state,
            comment=summary,
            tally=tally,
            meeting=meeting,
        )
        _entered(locked)
    return locked, ballot


# --- notes ------------------------------------------------------------------------------------------


@transaction.atomic
def add_internal_note(*, proposal, user, text):
    body = roles.stage_body(proposal)
    if body is None or roles.membership_in(user, body) is None:
        raise PermissionDenied("Internal notes are for the members of the reviewing body.")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Write the note first."})
    return InternalNote.objects.create(proposal=proposal, body=body, author=user, text=text)
