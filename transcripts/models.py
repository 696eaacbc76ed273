"""The registrar's records of awards that reach the transcript, the academic calendar, the append-only
history of each record, and the batches sent to the student information system (SIS)."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from badges.models import Award
from core.models import AppendOnly


class Term(models.Model):
    """A term of the academic calendar, edited by registrar staff."""

    code = models.CharField(max_length=20, unique=True, help_text="The SIS term code, e.g. 202701.")
    name = models.CharField(max_length=100)
    start = models.DateField()
    end = models.DateField()

    class Meta:
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="term_ends_after_it_starts"
            ),
        ]

    def __str__(self):
        return self.name


class Batch(models.Model):
    """Verified records of one term, exported for the SIS. The files are made once, when the batch
    is made, and never change: they download again byte for byte."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="batches")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    csv = models.TextField()
    csv_sha256 = models.CharField(max_length=64)
    json = models.TextField()
    json_sha256 = models.CharField(max_length=64)
    posted_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sis_reference = models.CharField("SIS reference", max_length=100, blank=True)
    posted_on = models.DateField("posted in the SIS on", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "batches"

    def __str__(self):
        return f"Batch {self.pk} ({self.term})"


class TranscriptRecord(ConcurrentTransitionMixin, models.Model):
    """One award on its way to the transcript, or the reversal of one already posted. Its state
    changes only by its transitions; the services record each in the record's history
    (``RecordEvent``) with the action the transition names and the states it left and reached."""

    class Kind(models.TextChoices):
        AWARD = "award", "Award"
        REVERSAL = "reversal", "Reversal"

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        BATCHED = "batched", "Batched"
        POSTED = "posted", "Posted"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    # Until the SIS has it, a record may be corrected or rejected, and a revocation withdraws it;
    # once batched for the SIS or posted there, a revocation reverses it through the queue instead.
    BEFORE_SIS = (State.PENDING, State.VERIFIED)
    AT_SIS = (State.BATCHED, State.POSTED)

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="transcript_records")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.AWARD)
    state = FSMField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="transcript_records"
    )
    given_name = models.CharField(max_length=150, blank=True)
    family_name = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    student_id = models.CharField("student ID", max_length=30, blank=True, db_index=True)
    credential_code = models.CharField(max_length=30, blank=True, db_index=True)
    credential_title = models.CharField(max_length=200)
    credits = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    level = models.CharField(max_length=50, blank=True)
    unit = models.CharField("awarding unit", max_length=200)
    unit_ref = models.ForeignKey("proposals.Unit", on_delete=models.PROTECT, related_name="+")
    award_date = models.DateField()
    term = models.ForeignKey(Term, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    batch = models.ForeignKey(Batch, null=True, blank=True, on_delete=models.PROTECT, related_name="records")
    reason = models.TextField(blank=True, help_text="Why it was rejected or withdrawn.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # Exactly one record per award, and at most one reversal of it: whatever the deliveries.
            models.UniqueConstraint(fields=["award", "kind"], name="one_record_per_award_and_kind"),
        ]
        indexes = [
            models.Index(fields=["state", "term"]),
            models.Index(fields=["family_name", "given_name"]),
            models.Index(fields=["created_at", "id"], name="transcript_queue_order"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.credential_title} – {self.learner}"

    @property
    def has_student_id(self):
        return bool(self.student_id)

    @property
    def learner_name(self):
        return f"{self.given_name} {self.family_name}".strip() or self.email

    # --- its life -----------------------------------------------------------------------------------
    # One transition per verb, each naming in ``custom["action"]`` the word its history entry
    # records. The services (``transcripts.services``) lock the records, fire the transitions, save
    # them and write the history from each transition's source and target.

    def _by_registrar(self, user):
        from .permissions import is_registrar

        return is_registrar(user)

    def _award_revoked(self):
        return self.award.state == Award.State.REVOKED

    def _has_student_id(self):
        return self.has_student_id

    def _batch_posted(self):
        return self.batch is not None and self.batch.posted_at is not None

    @transition(
        field=state,
        source=State.PENDING,
        target=State.VERIFIED,
        permission=_by_registrar,
        custom={"action": "verified"},
    )
    def verify(self, *, by):
        """Registrar staff have checked it."""

    @transition(
        field=state,
        source=BEFORE_SIS,
        target=State.REJECTED,
        permission=_by_registrar,
        custom={"action": "rejected"},
    )
    def reject(self, *, by, reason):
        """It does not go to the transcript, for the reason given."""
        self.reason = reason

    @transition(
        field=state,
        source=BEFORE_SIS,
        target=State.WITHDRAWN,
        conditions=[_award_revoked],
        custom={"action": "withdrawn"},
    )
    def withdraw(self, *, by, reason):
        """Its award was revoked before the SIS had it: it leaves the queue."""
        self.reason = reason

    @transition(
        field=state,
        source=State.VERIFIED,
        target=State.BATCHED,
        conditions=[_has_student_id],
        permission=_by_registrar,
        custom={"action": "batched"},
    )
    def add_to_batch(self, *, by, batch):
        """Exported for the SIS in ``batch``; a record without a student ID waits for one."""
        self.batch = batch

    @transition(
        field=state,
        source=State.BATCHED,
        target=State.POSTED,
        conditions=[_batch_posted],
        permission=_by_registrar,
        custom={"action": "posted"},
    )
    def post(self, *, by):
        """Its batch has been posted in the SIS."""


class RecordEvent(AppendOnly):
    """Who changed a record, when, from what to what and why. Never changed or deleted."""

    record = models.ForeignKey(TranscriptRecord, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=30)
    from_state = models.CharField(max_length=10, blank=True)
    to_state = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return f"{self.action} on record {self.record_id}"
