"""The office's own transitions: publishing an approved micro-credential (a revision replacing the
one it revises from its effective date) and retiring a published one."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core.queue import enqueue
from proposals import selectors as proposal_selectors
from proposals.extensions import published_tasks
from proposals.models import Proposal
from proposals.policy import (
    State,
)

from ..models import AuditEvent
from .audit import record
from .notifications import announce
from .stages import check_allowed, fire, lock


def _office_transition(proposal, user, *, source, method, action, what, comment=""):
    """Publish or retire: the office's own transitions, from one state, recorded and announced."""
    locked = lock(proposal, source)
    fire(locked, getattr(locked, method), user)
    record(locked, user, action, from_state=source, to_state=locked.state, comment=(comment or "").strip())
    announce(locked, what)
    return locked


@transaction.atomic
def publish(*, proposal, user):
    """Publish an approved micro-credential; once committed, each registered task (the awards app's
    achievement builder) is handed the proposal, by task name. A hand-over that cannot be queued
    (broker down) is redone by the outbox sweep.

    A revision of a published micro-credential replaces it from its effective date: at once, in
    this transaction, when that date has come; otherwise the daily ``supersede_due`` does it then."""
    revised = proposal.revision_of if proposal.revision_of_id else None
    published = _office_transition(
        proposal,
        user,
        source=State.APPROVED,
        method="publish",
        action=AuditEvent.Action.PUBLISHED,
        what="was published",
        comment=f"Revision of {revised}: it replaces it from {proposal.effective_from:%-d %B %Y}."
        if revised is not None
        else "",
    )
    for name in published_tasks():
        transaction.on_commit(lambda name=name: enqueue(name, published.pk))
    if revised is not None and takes_over(published):
        _supersede(published, user)
    return published


def takes_over(revision, today=None):
    """Whether a published revision's effective date has come (today by the institution's clock)."""
    return revision.effective_from <= (today or timezone.localdate())


def _supersede(revision, actor):
    """The published micro-credential ``revision`` revises is replaced by it: retired, no new
    learners join it, while its enrolments, evidence and awards stay as they are. Done once: a
    second call finds it retired and changes nothing (the row lock queues concurrent calls)."""
    replaced = Proposal.objects.select_for_update().get(pk=revision.revision_of_id)
    if replaced.state != State.PUBLISHED:
        return None
    replaced.supersede(by=actor)
    replaced.save()
    record(
        replaced,
        actor,
        AuditEvent.Action.RETIRED,
        from_state=State.PUBLISHED,
        to_state=replaced.state,
        comment=f"Replaced by its revision {revision}, effective {revision.effective_from:%-d %B %Y}. "
        "No new learners join it; enrolled learners can still finish it and be awarded it.",
    )
    announce(replaced, f"was replaced by its revision, effective {revision.effective_from:%-d %B %Y}")
    return replaced


def supersede_due(today=None):
    """Daily: every published revision whose effective date has come (``today``, by default the
    institution's date) replaces the micro-credential it revises. Safe to run twice, or beside a
    publication: each replacement happens once. Returns the micro-credentials replaced."""
    today = today or timezone.localdate()
    due = Proposal.objects.filter(
        state=State.PUBLISHED, revision_of__state=State.PUBLISHED, effective_from__lte=today
    ).order_by("effective_from", "pk")
    replaced = []
    for revision in due:
        with transaction.atomic():
            done = _supersede(revision, _publisher(revision))
        if done is not None:
            replaced.append(done)
    return replaced


def _publisher(revision):
    """Who published the revision: the daily job replaces the earlier one in their name."""
    event = (
        AuditEvent.objects.filter(proposal=revision, action=AuditEvent.Action.PUBLISHED)
        .select_related("actor")
        .order_by("-created_at", "-pk")
        .first()
    )
    return event.actor if event is not None else revision.revision_started_by or revision.lead_author


class DependentsNotConfirmed(ValidationError):
    """Retiring would strand published micro-certificates built on it, and nobody confirmed that."""


@transaction.atomic
def retire(*, proposal, user, reason="", confirm_dependents=False):
    """Retire a published micro-credential: no new learners join it. When published
    micro-certificates list it as a component, it is retired only with ``confirm_dependents``;
    otherwise ``DependentsNotConfirmed`` names them and nothing changes. Who may retire is asked
    first, so that the refusal tells nothing to someone who may not."""
    locked = lock(proposal, State.PUBLISHED)
    check_allowed(locked, locked.retire, user)
    depending = list(proposal_selectors.dependents(locked, published_only=True))
    if depending and not confirm_dependents:
        names = "; ".join(str(p) for p in depending)
        raise DependentsNotConfirmed(
            f"Published micro-certificates depend on it ({names}): tick the confirmation to retire it anyway."
        )
    return _office_transition(
        proposal,
        user,
        source=State.PUBLISHED,
        method="retire",
        action=AuditEvent.Action.RETIRED,
        what="was retired",
        comment=reason,
    )
