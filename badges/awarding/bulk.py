"""Awarding a whole class from one spreadsheet.

An evaluator of the unit (or, where the profile awards centrally, the office's staff) uploads a CSV
of learners for one achievement. Reading it checks every row and says what will happen to each
(new learner, existing learner, already holds it, or an error with its reason) without changing
anything; the upload is kept with its rows. A row is held to the rules a learner who joins is held
to (``permissions.admission``: who may start the micro-credential, from when, not once retired) and
carries its evidence, which the award records. Confirming hands it to a task that awards the good rows
in chunks through ``services.award``, the same idempotent path as single awards: a row processed
twice, a worker restarted half-way or the same file uploaded again award nobody twice.
"""

import hashlib
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from core import roles as global_roles
from core.queue import enqueue
from core.spreadsheets import formula_start
from proposals.policy import State
from review import permissions

from ..issuing import services
from ..learning.selectors import REFLECTION_TITLE, reflection_required
from ..models import Achievement, Award, BulkAward, Learner
from ..permissions import Refusal, admission, evaluates_centrally, may_award
from .spreadsheet import EVIDENCE_COLUMNS, LIMITS, TEXT_COLUMNS, parse, read_upload

# What the preview says of a row that the micro-credential would not take (``permissions.admission``).
REFUSED = {
    Refusal.RETIRED: "Retired: no new learners join it.",
    Refusal.NOT_PUBLISHED: "Not published: it is not open to learners.",
    Refusal.NOT_YET_IN_EFFECT: "Not yet in effect: this revision takes over on {effective_from:%-d %B %Y}.",
    Refusal.STUDENTS_ONLY: "Closed to non-matriculated learners: this address has no student ID.",
}
CHUNK = 25


class Outcome:
    NEW = "new"
    EXISTING = "existing"
    HOLDS = "holds"
    ERROR = "error"
    LABELS = {
        NEW: "New learner",
        EXISTING: "Existing learner",
        HOLDS: "Already holds it",
        ERROR: "Error",
    }
    AWARDED = (NEW, EXISTING)  # the rows that confirming awards


def awardable_rows(rows):
    """The rows that confirming the upload awards."""
    return [row for row in rows if row["outcome"] in Outcome.AWARDED]


def awardable(user):
    """The current version of every published micro-credential this person may award."""
    found = (
        Achievement.objects.filter(proposal__state=State.PUBLISHED)
        .select_related("proposal")
        .order_by("proposal_id", "-version")
    )
    if evaluates_centrally():
        if not permissions.is_office_staff(user):
            return []
    else:
        units = [unit.pk for unit in permissions.roles_of(user).evaluator_units]
        found = found.filter(proposal__unit_id__in=units)
    latest = {}
    for achievement in found:
        latest.setdefault(achievement.proposal_id, achievement)
    return sorted(latest.values(), key=lambda a: a.name.lower())


def refusal_reason(refusal, achievement):
    """What the preview says of a row the micro-credential does not take, or ''."""
    return REFUSED[refusal].format(effective_from=achievement.proposal.effective_from) if refusal else ""


def _row_error(row, *, reflection_needed):
    """Why a row cannot be awarded, or ''."""
    if row.get("extra"):
        return "The row has more cells than the header has columns."
    for column in TEXT_COLUMNS:
        value = row.get(column, "")
        start = formula_start(value)
        if start:
            return f"The {column.replace('_', ' ')} starts with “{start.strip() or 'a tab'}”, which a spreadsheet runs as a formula."
        if column in LIMITS and len(value) > LIMITS[column]:
            return f"The {column.replace('_', ' ')} is longer than {LIMITS[column]} characters."
    if not row["email"]:
        return "The email is missing."
    try:
        validate_email(row["email"])
    except ValidationError:
        return f"“{row['email'][:80]}” is not an email address."
    if not row["given_name"] or not row["family_name"]:
        return "The given name and the family name are both needed."
    if row["student_id"] and not row["student_id"].replace("-", "").isalnum():
        return "A student ID has only letters, digits and hyphens."
    if row["evidence_url"]:
        try:
            URLValidator(schemes=["http", "https"])(row["evidence_url"])
        except ValidationError:
            return "The evidence URL is not a web address (http:// or https://)."
    if not any(row[column] for column in EVIDENCE_COLUMNS):
        return (
            "No evidence: give an evidence URL, a narrative, or your statement that the evidence was "
            "assessed elsewhere (the assessed elsewhere column)."
        )
    if reflection_needed and not row["reflection"]:
        return "No culminating reflection: the policy requires one of every learner (the reflection column)."
    return ""


def check_rows(rows, achievement, user):
    """Each row with its outcome and, for an error, the reason. Reads only."""
    User = get_user_model()
    reflection_needed = reflection_required()
    for row in rows:
        for column in TEXT_COLUMNS:
            row[column] = (row.get(column) or "").strip()
        row["email"] = row["email"].lower()
        row["reason"] = _row_error(row, reflection_needed=reflection_needed)
        row["outcome"] = Outcome.ERROR if row["reason"] else ""
    seen = {}
    for row in rows:
        if row["outcome"]:
            continue
        if row["email"] in seen:
            row["outcome"], row["reason"] = Outcome.ERROR, f"The same email is on line {seen[row['email']]}."
        else:
            seen[row["email"]] = row["line"]
    good = [row for row in rows if not row["outcome"]]
    # Three queries whatever the class size: the people by email, their awards, the student IDs.
    emails = {row["email"] for row in good}
    people = {}
    for person in User.objects.filter(email__in=emails).select_related("learner"):
        people.setdefault(person.email.lower(), []).append(person)
    holders = {}
    for email, state in Award.objects.filter(
        achievement__proposal_id=achievement.proposal_id, learner__email__in=emails
    ).values_list("learner__email", "state"):
        if holders.get(email.lower()) != Award.State.REVOKED:
            holders[email.lower()] = state
    student_ids = {row["student_id"] for row in good if row["student_id"]}
    id_owners = dict(
        Learner.objects.filter(student_id__in=student_ids).values_list("student_id", "user__email")
    )
    for row in good:
        matches = people.get(row["email"], [])
        if len(matches) > 1:
            row["outcome"], row["reason"] = (
                Outcome.ERROR,
                "Several accounts have this email: award them one by one.",
            )
            continue
        person = matches[0] if matches else None
        on_record = getattr(person, "learner", None)
        # Joining's rules: a student ID from the file is recorded on the learner when awarded.
        refusal = admission(
            achievement, enrolled=bool(row["student_id"] or (on_record and on_record.student_id))
        )
        owner = id_owners.get(row["student_id"])
        if row["student_id"] and owner is not None and owner.lower() != row["email"]:
            row["outcome"], row["reason"] = Outcome.ERROR, "This student ID belongs to another learner."
        elif person is not None and person.pk == user.pk:
            row["outcome"], row["reason"] = Outcome.ERROR, "Nobody awards themselves."
        elif person is not None and not person.is_active:
            row["outcome"], row["reason"] = Outcome.ERROR, "This account is deactivated."
        elif (
            person is not None
            and row["student_id"]
            and getattr(person, "learner", None) is not None
            and person.learner.student_id
            and person.learner.student_id != row["student_id"]
        ):
            row["outcome"], row["reason"] = (
                Outcome.ERROR,
                "This learner has a different student ID on record.",
            )
        elif refusal:
            row["outcome"], row["reason"] = Outcome.ERROR, refusal_reason(refusal, achievement)
        elif holders.get(row["email"]) == Award.State.REVOKED:
            row["outcome"], row["reason"] = (
                Outcome.ERROR,
                "This learner's award of it was revoked: a revoked award is not re-awarded from a spreadsheet.",
            )
        elif row["email"] in holders:
            row["outcome"] = Outcome.HOLDS
        else:
            row["outcome"] = Outcome.EXISTING if person is not None else Outcome.NEW
    return rows


def summary(rows):
    counts = dict.fromkeys(Outcome.LABELS, 0)
    for row in rows:
        counts[row["outcome"]] += 1
    return [(key, Outcome.LABELS[key], counts[key]) for key in Outcome.LABELS]


@transaction.atomic
def upload(*, user, achievement, uploaded):
    """Read and check an uploaded CSV and keep it, with its rows, for preview. Nothing is awarded."""
    if not may_award(user, achievement):
        raise PermissionDenied("Only the micro-credential's evaluators award it.")
    data = read_upload(uploaded)
    rows = check_rows(parse(data), achievement, user)
    name = (getattr(uploaded, "name", "") or "learners.csv").rsplit("/", 1)[-1][:200]
    bulk = BulkAward(
        achievement=achievement,
        original_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        rows=rows,
        uploaded_by=user,
    )
    bulk.file.save("upload.csv", ContentFile(data), save=False)
    bulk.save()
    return bulk


def earlier_uploads(bulk):
    """The same file confirmed before for the same micro-credential."""
    return (
        BulkAward.objects.filter(
            sha256=bulk.sha256,
            achievement__proposal_id=bulk.achievement.proposal_id,
            confirmed_at__isnull=False,
        )
        .exclude(pk=bulk.pk)
        .select_related("confirmed_by")
    )


@transaction.atomic
def confirm(*, bulk, user):
    """Confirm a previewed upload: its good rows are awarded in the background. The upload is locked
    and moved by its ``confirm`` transition, so two clicks (or two people) confirm it once."""
    locked = (
        BulkAward.objects.select_for_update(of=("self",))
        .select_related("achievement__proposal")
        .get(pk=bulk.pk)
    )
    if not may_award(user, locked.achievement):
        raise PermissionDenied("Only the micro-credential's evaluators award it.")
    if not can_proceed(locked.confirm, check_conditions=False):
        raise ValidationError("This upload has been confirmed or cancelled already.")
    if not can_proceed(locked.confirm):
        raise ValidationError("No row of this file can be awarded: there is nothing to confirm.")
    locked.confirm(by=user, at=timezone.now())
    locked.save(update_fields=["state", "confirmed_by", "confirmed_at"])
    transaction.on_commit(lambda: _enqueue(locked.pk))
    return locked


@transaction.atomic
def cancel(*, bulk, user):
    """Cancel a previewed upload: nobody is awarded from it (its ``cancel`` transition)."""
    locked = BulkAward.objects.select_for_update().get(pk=bulk.pk)
    if not may_award(user, locked.achievement):
        raise PermissionDenied("Only the micro-credential's evaluators award it.")
    if not can_proceed(locked.cancel):
        raise ValidationError("Only an upload waiting for confirmation can be cancelled.")
    locked.cancel(by=user)
    locked.save(update_fields=["state"])


def _enqueue(bulk_id):
    from ..tasks import process_bulk_award

    enqueue(process_bulk_award, bulk_id)  # broker down: the outbox sweep resumes confirmed uploads


# --- awarding -----------------------------------------------------------------------------------


def _learner_for(row):
    """The account of a row's learner: found by email, or made (no password: they set one through
    "forgot password", which proves they hold the address)."""
    User = get_user_model()
    person = User.objects.filter(email__iexact=row["email"]).first()
    if person is None:
        username = row["email"][:150]
        try:
            with transaction.atomic():
                person = User(
                    username=username,
                    email=row["email"],
                    first_name=row["given_name"],
                    last_name=row["family_name"],
                )
                person.set_unusable_password()
                person.save()
        except IntegrityError:  # the username is taken (or made concurrently)
            person = User.objects.filter(email__iexact=row["email"]).first()
            if person is None:
                raise ValidationError("An account with this email as its user name exists.") from None
        EmailAddress.objects.get_or_create(user=person, email=row["email"], defaults={"primary": True})
        person.groups.add(Group.objects.get_or_create(name=global_roles.LEARNER)[0])
    learner, _ = Learner.objects.get_or_create(user=person)
    if row["student_id"] and not learner.student_id:
        learner.student_id = row["student_id"]
        learner.save(update_fields=["student_id"])
    return person


def evidence_narrative(row):
    """What a row says of the learner's evidence, as its award's narrative: the narrative, then the
    culminating reflection and the evaluator's statement that it was assessed elsewhere, each under
    its title (as an award from the learner's own evidence lists each part)."""
    parts = [
        row.get("narrative", ""),
        f"{REFLECTION_TITLE}: {row['reflection']}" if row.get("reflection") else "",
        f"Assessed elsewhere, in the evaluator's words: {row['assessed_elsewhere']}"
        if row.get("assessed_elsewhere")
        else "",
    ]
    return "\n\n".join(part for part in parts if part)


def _award_row(bulk, row):
    if row["outcome"] not in Outcome.AWARDED:
        return "skipped", row.get("reason") or Outcome.LABELS.get(row["outcome"], "")
    narrative = evidence_narrative(row)
    try:
        with transaction.atomic():
            person = _learner_for(row)
            # Asked again as it is awarded: the micro-credential may have been retired since the preview.
            refusal = admission(bulk.achievement, enrolled=person.learner.is_enrolled_student)
            if refusal:
                raise ValidationError(refusal_reason(refusal, bulk.achievement))
            made = services.award(
                learner=person,
                achievement=bulk.achievement,
                awarded_by=bulk.confirmed_by,
                narrative=narrative,
                evidence_public=bool(narrative or row["evidence_url"]),
                evidence_url=row["evidence_url"],
                source=Award.Source.BULK,
                bulk=bulk,
            )
    except (ValidationError, PermissionDenied, IntegrityError) as refused:
        message = "; ".join(getattr(refused, "messages", None) or [str(refused)])
        return "failed", message
    if made.bulk_id != bulk.pk:
        return "skipped", "Already holds it."
    return "awarded", str(made.public_id)


def process(bulk_id):
    """Award the next rows of a confirmed upload, a chunk per transaction with the upload locked, so
    that two deliveries (or the sweep and the task) share the work and nothing is done twice.
    Returns the number of rows handled now."""
    handled = 0
    while True:
        with transaction.atomic():
            bulk = (
                BulkAward.objects.select_for_update(of=("self",))
                .select_related("achievement__proposal__revision_of", "confirmed_by")
                .get(pk=bulk_id)
            )
            if bulk.state != BulkAward.State.ISSUING:
                return handled
            rows = bulk.rows
            start = bulk.processed
            chunk = rows[start : start + CHUNK]
            awarded = 0
            for row in chunk:
                row["result"], row["detail"] = _award_row(bulk, row)
                awarded += row["result"] == "awarded"
            bulk.rows = rows
            bulk.processed = start + len(chunk)
            bulk.awarded += awarded
            if can_proceed(bulk.finish):
                bulk.finish(at=timezone.now())
            bulk.save(update_fields=["rows", "processed", "awarded", "state", "finished_at"])
            handled += len(chunk)
            if bulk.state == BulkAward.State.DONE:
                return handled


def unfinished(older_than_seconds=120):
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return BulkAward.objects.filter(state=BulkAward.State.ISSUING, confirmed_at__lt=cutoff).values_list(
        "pk", flat=True
    )
