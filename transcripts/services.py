"""Writes of the registrar's app. Each runs in one transaction, records who did what and why in the
record's append-only history, and says what it guarantees."""

import csv
import hashlib
import io
import itertools
import json
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from badges.models import Award, Learner
from core.spreadsheets import spreadsheet_safe
from proposals.policy import reaches_registrar

from .models import Batch, RecordEvent, Term, TranscriptRecord
from .permissions import require_registrar

S = TranscriptRecord.State
# What a revocation does to the award's record: withdrawn while it has not reached the SIS, else a
# reversal record through the same queue.
WITHDRAWN_ON_REVOCATION = TranscriptRecord.BEFORE_SIS
REVERSED_ON_REVOCATION = TranscriptRecord.AT_SIS


def _event(record, actor, action, *, from_state="", to_state="", reason="", changes=None):
    RecordEvent.objects.create(
        record=record,
        actor=actor,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        changes=changes or {},
    )


def _fire(record, verb, actor, *, why="", changes=None, **arguments):
    """Fire the record's transition ``verb`` (the caller holds the row) and return, unsaved, the
    history entry that says so: the action the transition names, the state it left and the one it
    reached. Every change of a record's state goes through here, so that none escapes its history."""
    source = record.state
    getattr(record, verb)(by=actor, **arguments)
    (declared,) = (t for t in record.get_all_state_transitions() if t.name == verb and t.source == source)
    return RecordEvent(
        record=record,
        actor=actor,
        action=declared.custom["action"],
        from_state=source,
        to_state=record.state,
        reason=why,
        changes=changes or {},
    )


def _save(record, event, *fields):
    """Save one record a transition moved (``fields``: what else the transition set), then its history."""
    record.save(update_fields=["state", *fields, "updated_at"])
    event.save()


def _save_all(events, **columns):
    """Save the records one transition moved, in one statement whatever their number, then their
    history in one more. As a single save does (``ConcurrentTransitionMixin``), the statement
    changes only rows still in the state they were read in, and refuses to lose any."""
    if not events:
        return
    records = [event.record for event in events]
    (target,) = {record.state for record in records}
    changed = TranscriptRecord.objects.filter(
        pk__in=[record.pk for record in records], state__in={event.from_state for event in events}
    ).update(state=target, updated_at=timezone.now(), **columns)
    if changed != len(records):
        raise ConcurrentTransition("Records changed by someone else meanwhile: nothing was saved.")
    RecordEvent.objects.bulk_create(events)


def term_for(day):
    return Term.objects.filter(start__lte=day, end__gte=day).first()


# --- from the awards app ----------------------------------------------------------------------


def record_award(*, award_id):
    """Create the registrar's record of an issued award, when the profile's rule sends it there.
    Exactly one record per award however often it is delivered: the database refuses a second.
    Returns the record, or None when the award does not reach the registrar."""
    award = Award.objects.select_related("learner", "achievement__proposal__unit").get(pk=award_id)
    learner = Learner.objects.filter(user=award.learner).first()
    student_id = learner.student_id if learner else ""
    if award.issued_at is None or not reaches_registrar(
        credit_bearing=award.achievement.credit_bearing, enrolled=bool(student_id)
    ):
        return None
    existing = TranscriptRecord.objects.filter(award=award, kind=TranscriptRecord.Kind.AWARD).first()
    if existing is not None:
        return existing
    proposal = award.achievement.proposal
    day = timezone.localdate(award.issued_at)
    record = TranscriptRecord(
        award=award,
        kind=TranscriptRecord.Kind.AWARD,
        learner=award.learner,
        given_name=award.learner.first_name,
        family_name=award.learner.last_name,
        email=award.learner.email,
        student_id=student_id,
        credential_code=proposal.code,
        credential_title=award.achievement.name,
        credits=award.achievement.credits,
        level=proposal.get_level_display(),
        unit=proposal.unit.name,
        unit_ref=proposal.unit,
        award_date=day,
        term=term_for(day),
    )
    try:
        with transaction.atomic():
            record.save()
            _event(record, None, "created", to_state=record.state)
    except IntegrityError:  # made by a concurrent delivery
        return TranscriptRecord.objects.get(award=award, kind=TranscriptRecord.Kind.AWARD)
    return record


@transaction.atomic
def award_revoked(*, award_id):
    """A revoked award leaves the queue if it has not reached the SIS (withdrawn, with the reason);
    one already batched or posted gets a reversal record that goes through the same queue.
    Delivered twice, it does this once."""
    record = (
        TranscriptRecord.objects.select_for_update()
        .filter(award_id=award_id, kind=TranscriptRecord.Kind.AWARD)
        .first()
    )
    if record is None:
        return None
    reason = f"Award revoked: {record.award.revoked_reason}"
    if can_proceed(record.withdraw):
        _save(record, _fire(record, "withdraw", None, why=reason, reason=reason), "reason")
        return record
    if record.state not in REVERSED_ON_REVOCATION:
        return record
    try:
        with transaction.atomic():
            reversal = TranscriptRecord.objects.create(
                **{
                    f.name: getattr(record, f.name)
                    for f in TranscriptRecord._meta.concrete_fields
                    if f.name not in ("id", "kind", "state", "batch", "reason", "created_at", "updated_at")
                },
                kind=TranscriptRecord.Kind.REVERSAL,
                reason=reason,
            )
            _event(reversal, None, "created", to_state=reversal.state, reason=reason)
    except IntegrityError:
        return TranscriptRecord.objects.get(award_id=award_id, kind=TranscriptRecord.Kind.REVERSAL)
    return reversal


def awards_without_record(older_than_seconds):
    """The outbox of ``record_award``: awards issued ``older_than_seconds`` ago or more, still in
    force, that the profile's rule sends to the registrar and that have no record yet. The rule is
    asked for each of its four cases, so that this query and ``record_award`` cannot disagree."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    reaching = Q(pk__in=[])
    for credit_bearing, enrolled in itertools.product((True, False), repeat=2):
        if reaches_registrar(credit_bearing=credit_bearing, enrolled=enrolled):
            reaching |= Q(achievement__credit_bearing=credit_bearing, enrolled=enrolled)
    return (
        Award.objects.filter(state=Award.State.ISSUED, issued_at__lt=cutoff)
        .annotate(
            enrolled=Exists(Learner.objects.filter(user=OuterRef("learner")).exclude(student_id="")),
            recorded=Exists(
                TranscriptRecord.objects.filter(award=OuterRef("pk"), kind=TranscriptRecord.Kind.AWARD)
            ),
        )
        .filter(reaching, recorded=False)
        .values_list("pk", flat=True)
    )


def revoked_awards_on_record(older_than_seconds):
    """The outbox of ``award_revoked``: awards revoked ``older_than_seconds`` ago or more whose
    record is still to be withdrawn, or still to be reversed."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    records = TranscriptRecord.objects.filter(award=OuterRef("pk"))
    award_record = records.filter(kind=TranscriptRecord.Kind.AWARD)
    return (
        Award.objects.filter(state=Award.State.REVOKED, revoked_at__lt=cutoff)
        .filter(
            Exists(award_record.filter(state__in=WITHDRAWN_ON_REVOCATION))
            | (
                Exists(award_record.filter(state__in=REVERSED_ON_REVOCATION))
                & ~Exists(records.filter(kind=TranscriptRecord.Kind.REVERSAL))
            )
        )
        .values_list("pk", flat=True)
    )


# --- registrar actions ------------------------------------------------------------------------------


@transaction.atomic
def verify(*, records, user):
    """Verify pending records; returns how many changed (others are left as they are)."""
    require_registrar(user)
    changed = 0
    for record in TranscriptRecord.objects.select_for_update().filter(pk__in=[r.pk for r in records]):
        if can_proceed(record.verify):
            _save(record, _fire(record, "verify", user))
            changed += 1
    return changed


@transaction.atomic
def reject(*, records, user, reason):
    """Reject pending or verified records with a reason; returns how many changed."""
    require_registrar(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the records are rejected."})
    changed = 0
    for record in TranscriptRecord.objects.select_for_update().filter(pk__in=[r.pk for r in records]):
        if can_proceed(record.reject):
            _save(record, _fire(record, "reject", user, why=reason, reason=reason), "reason")
            changed += 1
    return changed


CORRECTABLE = ("student_id", "given_name", "family_name", "term")


@transaction.atomic
def correct(*, record, user, reason, **changes):
    """Correct a record (say, a wrong student ID) until it is batched, keeping the reason and what
    changed."""
    require_registrar(user)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the record is corrected."})
    locked = TranscriptRecord.objects.select_for_update().get(pk=record.pk)
    if locked.state not in TranscriptRecord.BEFORE_SIS:
        raise ValidationError("A record can be corrected only until it is batched.")
    diff = {}
    for name, value in changes.items():
        if name not in CORRECTABLE:
            raise ValidationError(f"{name} cannot be corrected here.")
        before = getattr(locked, name)
        if before != value:
            diff[name] = [str(before) if before is not None else "", str(value) if value is not None else ""]
            setattr(locked, name, value)
    if diff:
        locked.full_clean(exclude=["award", "learner", "unit_ref", "term", "batch"])
        locked.save()
        _event(
            locked,
            user,
            "corrected",
            from_state=locked.state,
            to_state=locked.state,
            reason=reason,
            changes=diff,
        )
    return locked


# --- batches ---------------------------------------------------------------------------------------

COLUMNS = {
    "record_id": lambda r: str(r.pk),
    "record_type": lambda r: r.kind,
    "student_id": lambda r: r.student_id,
    "family_name": lambda r: r.family_name,
    "given_name": lambda r: r.given_name,
    "email": lambda r: r.email,
    "credential_code": lambda r: r.credential_code,
    "credential_title": lambda r: r.credential_title,
    "credits": lambda r: f"{r.credits.normalize():f}" if r.credits is not None else "",
    "level": lambda r: r.level,
    "awarding_unit": lambda r: r.unit,
    "award_date": lambda r: r.award_date.isoformat(),
    "term_code": lambda r: r.term.code if r.term else "",
}


def export_columns():
    columns = settings.TRANSCRIPT_EXPORT_COLUMNS
    unknown = [c for c in columns if c not in COLUMNS]
    if unknown:
        raise ValidationError(f"Unknown export columns: {', '.join(unknown)}.")
    return columns


def render_csv(records):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    columns = export_columns()
    writer.writerow(columns)
    for record in records:
        writer.writerow([spreadsheet_safe(COLUMNS[c](record)) for c in columns])
    return out.getvalue()


def render_json(records, batch_id, term):
    columns = export_columns()
    rows = [{c: COLUMNS[c](r) for c in columns} for r in records]
    return json.dumps({"batch": batch_id, "term": term.code, "records": rows}, ensure_ascii=False, indent=2)


def sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def create_batch(*, term, user):
    """Batch every verified record of ``term`` that has a student ID, in a fixed order, and make its
    CSV and JSON files once. Records without a student ID stay out until one is entered."""
    require_registrar(user)
    records = list(
        TranscriptRecord.objects.select_for_update(of=("self",))
        .select_related("term")
        .filter(state=S.VERIFIED, term=term)
        .exclude(student_id="")
        .order_by("family_name", "given_name", "id")
    )
    if not records:
        raise ValidationError("No verified record of this term with a student ID is waiting to be batched.")
    batch = Batch.objects.create(term=term, created_by=user, csv="", csv_sha256="", json="", json_sha256="")
    csv_text, json_text = render_csv(records), render_json(records, batch.pk, term)
    Batch.objects.filter(pk=batch.pk).update(
        csv=csv_text, csv_sha256=sha256(csv_text), json=json_text, json_sha256=sha256(json_text)
    )
    # One statement for the records and one for their history, whatever the batch's size.
    _save_all(
        [_fire(record, "add_to_batch", user, changes={"batch": batch.pk}, batch=batch) for record in records],
        batch=batch,
    )
    batch.refresh_from_db()
    return batch


def left_out_of_batches(term):
    """The verified records of ``term`` a batch leaves out, with why: no student ID yet."""
    return list(
        TranscriptRecord.objects.filter(state=S.VERIFIED, term=term, student_id="").order_by(
            "family_name", "given_name", "id"
        )
    )


@transaction.atomic
def post_batch(*, batch, user, sis_reference, posted_on):
    """Mark a batch posted in the SIS: every record in it becomes posted. Posting twice is refused."""
    require_registrar(user)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.posted_at is not None:
        raise ValidationError("This batch is posted already.")
    sis_reference = (sis_reference or "").strip()
    if not sis_reference or posted_on is None:
        raise ValidationError({"sis_reference": "Give the SIS reference and the date it was posted."})
    locked.posted_at, locked.posted_by = timezone.now(), user
    locked.sis_reference, locked.posted_on = sis_reference, posted_on
    locked.save(update_fields=["posted_at", "posted_by", "sis_reference", "posted_on"])
    # The records read with their batch, which the ``post`` transition asks whether it is posted.
    records = list(locked.records.select_for_update())
    _save_all([_fire(record, "post", user, why=sis_reference) for record in records])
    return locked


def status_note(award):
    """What the learner reads on their award page about its transcript record."""
    records = list(TranscriptRecord.objects.filter(award=award).order_by("id"))
    if not records:
        return ""
    latest = records[-1]
    if latest.kind == TranscriptRecord.Kind.REVERSAL:
        return f"Transcript: the record is being reversed ({latest.get_state_display().lower()})."
    return f"Transcript: {latest.get_state_display().lower()}" + (
        f" ({latest.term.name})." if latest.term else "."
    )
