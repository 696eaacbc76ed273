"""Awards: Open Badges 3.0 achievements built from published proposals, the institution's signing
keys, awards to learners with their signed credentials, and the revocation status list."""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.models import AppendOnly
from proposals.models import Proposal

from .issuing import documents


class IssuerKey(models.Model):
    """A public signing key of the institution. The private key lives in a file (``badges.issuing.keys``),
    never in the database. The newest key that is not retired signs; every key stays published."""

    name = models.SlugField(max_length=60, unique=True, help_text="The key file's name in ISSUER_KEY_DIR.")
    public_key_multibase = models.CharField(max_length=100, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A retired key signs nothing new; credentials it signed still verify.",
    )
    revoked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A compromised key: it stays published, but what it signed is no longer trusted.",
    )
    revoked_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name

    @property
    def url(self):
        """Its id in the https controller document (and where it is published on its own)."""
        return settings.PUBLIC_BASE_URL + reverse("badges:key", args=[self.name])

    @property
    def did_url(self):
        """Its id in the did:web DID document."""
        return f"{documents.issuer_did()}#{self.name}"


class Achievement(models.Model):
    """One version of a published micro-credential as an Open Badges 3.0 ``Achievement``. Frozen
    once made: a later revision of the proposal publishes a new version, so that nothing changes
    underneath learners who hold this one."""

    class Type(models.TextChoices):
        # From the Open Badges 3.0 AchievementType vocabulary.
        BADGE = "Badge", "Digital badge"
        CERTIFICATE = "Certificate", "Micro-certificate"

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="achievements")
    version = models.PositiveIntegerField()
    proposal_version = models.PositiveIntegerField(help_text="The proposal version it was built from.")
    name = models.CharField(max_length=200)
    achievement_type = models.CharField(max_length=30, choices=Type.choices)
    credit_bearing = models.BooleanField(default=False)
    credits = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    valid_for_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Awards expire this many days after issue; blank: never."
    )
    credly_template_id = models.CharField(
        "Credly badge template id",
        max_length=100,
        blank=True,
        help_text="Where set (and Credly is configured), each award is also issued through Credly.",
    )
    data = models.JSONField(help_text="The Open Badges 3.0 Achievement, as published.")
    image_png = models.BinaryField()
    image_svg = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "version"], name="one_achievement_per_version"),
        ]

    def __str__(self):
        return f"{self.name} (v{self.version})"

    @property
    def url(self):
        return settings.PUBLIC_BASE_URL + reverse("badges:achievement", args=[self.uuid])


class Award(ConcurrentTransitionMixin, models.Model):
    """A learner's award of an achievement. Written in the transaction that decides it; a task then
    issues its signed credential (``issuing.services.issue_credential``). One award per learner and
    achievement, one credential per award: the database says so. Its state changes only by its
    transitions, which write when, by whom and why on the award itself."""

    class State(models.TextChoices):
        PENDING = "pending", "Being issued"
        ISSUED = "issued", "Issued"
        REVOKED = "revoked", "Revoked"

    class Source(models.TextChoices):
        EVIDENCE = "evidence", "Evidence accepted"
        BULK = "bulk", "Bulk award from a spreadsheet"
        STACKED = "stacked", "Every component held"

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    credential_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="awards")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="awards")
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = FSMField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    status_index = models.PositiveIntegerField(
        unique=True, help_text="The revocation status list bit of the credential in force."
    )
    credential = models.ForeignKey(
        "Credential",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The credential in force; earlier ones (re-issued with a new expiry) are superseded.",
    )
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.EVIDENCE)
    bulk = models.ForeignKey(
        "BulkAward", null=True, blank=True, on_delete=models.PROTECT, related_name="awards"
    )
    narrative = models.TextField("evidence narrative", blank=True)
    evidence_url = models.URLField("evidence link", max_length=500, blank=True)
    evidence_public = models.BooleanField(
        default=False, help_text="The learner agreed to show the evidence narrative on the credential."
    )
    listed = models.BooleanField(
        default=False, help_text="Listed publicly; otherwise its page is reachable only by its link."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_reason = models.TextField(blank=True)
    issue_attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "achievement"], name="one_award_per_learner"),
        ]

    def __str__(self):
        return f"{self.achievement.name} → {self.learner}"

    def get_absolute_url(self):
        return reverse("badges:award", args=[self.public_id])

    @property
    def public_url(self):
        return settings.PUBLIC_BASE_URL + self.get_absolute_url()

    # --- its life -----------------------------------------------------------------------------------
    # One transition per verb. The services (``issuing.services``) lock the row, fire the transition
    # and save it, so that two deliveries or two people acting at once change it once.

    @transition(field=state, source=State.PENDING, target=State.ISSUED)
    def issue(self, *, credential, at, valid_until):
        """Its signed credential is stored: it is in force from ``at`` until ``valid_until`` (None:
        it never expires)."""
        self.credential, self.issued_at, self.valid_until, self.last_error = credential, at, valid_until, ""

    def _by_revoker(self, user):
        from .permissions import may_revoke

        return may_revoke(user, self)

    @transition(field=state, source=State.ISSUED, target=State.REVOKED, permission=_by_revoker)
    def revoke(self, *, by, reason, at):
        """Revoked by the awarding office, with the reason learners and verifiers are shown."""
        self.revoked_at, self.revoked_by, self.revoked_reason = at, by, reason


class Credential(AppendOnly):
    """A signed ``OpenBadgeCredential`` of an award, exactly as issued, and the badge images with
    it baked in. Never changed: revocation is published in the status list. An award has one
    credential in force (``Award.credential``); re-issuing it (a new expiry) supersedes the earlier
    one, whose status bit is then set."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField(
        unique=True, help_text="Its bit in the revocation status list."
    )
    json = models.TextField(help_text="The signed credential, byte for byte as issued.")
    png = models.BinaryField()
    svg = models.TextField()
    key = models.ForeignKey(IssuerKey, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Credential of {self.award_id}"


class StatusList(models.Model):
    """A W3C Bitstring Status List for revocation: indices handed to awards in order, and the signed
    list credential, rebuilt whenever an award is revoked."""

    purpose = models.CharField(max_length=20, unique=True, default="revocation")
    next_index = models.PositiveIntegerField(default=0)
    credential_json = models.TextField(blank=True)
    did_credential_json = models.TextField(
        blank=True, help_text="The same list, issued under the issuer's did:web id."
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.purpose} status list"

    @property
    def url(self):
        return settings.PUBLIC_BASE_URL + reverse("badges:status_list", args=[self.purpose])

    @property
    def did_url(self):
        """Where the list issued under the did:web id is published: a verifier requires a status
        list's issuer to be the credential's, and credentials name either id."""
        return settings.PUBLIC_BASE_URL + reverse("badges:status_list_did", args=[self.purpose])


class Learner(models.Model):
    """A person who earns micro-credentials. Enrolled students carry their student ID (from the
    university account today; single sign-on later); non-matriculated and non-enrolled learners
    register with an email address they verify before they can join."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="learner")
    student_id = models.CharField("student ID", max_length=30, blank=True)
    credential_name = models.CharField(
        "name on credentials",
        max_length=150,
        blank=True,
        help_text="A chosen or preferred name to show on credentials; empty: given and family names.",
    )
    name_on_credentials = models.BooleanField(
        "show my name on my credentials",
        default=True,
        help_text="Otherwise a credential identifies you only by a hash of your email address.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["student_id"], condition=~models.Q(student_id=""), name="unique_student_id"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.student_id or 'not enrolled'})"

    @property
    def is_enrolled_student(self):
        return bool(self.student_id)


class Enrolment(models.Model):
    """A learner working towards a published micro-credential, with their sharing choices."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="enrolments")
    joined_at = models.DateTimeField(auto_now_add=True)
    evidence_public = models.BooleanField(
        "show my evidence narrative on the credential",
        default=False,
        help_text="Your evidence stays private unless you choose this.",
    )
    listed = models.BooleanField(
        "list my award publicly",
        default=False,
        help_text="Otherwise its public page is reachable only by its link, which you share.",
    )

    class Meta:
        ordering = ["-joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "achievement"], name="one_enrolment_per_learner"),
        ]

    def __str__(self):
        return f"{self.learner} in {self.achievement}"


def evidence_path(instance, filename):
    return f"evidence/{instance.enrolment_id}/{uuid.uuid4().hex}"


class Evidence(models.Model):
    """What a learner submits for one assessment of the micro-credential, or for its culminating
    reflection; reviewed by an evaluator, who accepts it or returns it with feedback."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Waiting for review"
        RETURNED = "returned", "Returned with feedback"
        ACCEPTED = "accepted", "Accepted"

    REFLECTION = "reflection"

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="evidence")
    # "assessment:<id>" for an assessment of the proposal, or "reflection".
    part = models.CharField(max_length=40)
    part_title = models.CharField(max_length=200)
    text = models.TextField(blank=True)
    link = models.URLField(blank=True, max_length=500)
    file = models.FileField(upload_to=evidence_path, blank=True, max_length=300)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.SUBMITTED, db_index=True)
    feedback = models.TextField(blank=True)
    submitted_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "part"], name="one_evidence_per_part"),
        ]

    def __str__(self):
        return f"{self.part_title} – {self.enrolment}"


def bulk_upload_path(instance, filename):
    return f"bulk-awards/{uuid.uuid4().hex}.csv"


class BulkAward(ConcurrentTransitionMixin, models.Model):
    """A spreadsheet of learners to award one achievement, kept as uploaded with its checked rows:
    previewed first, then confirmed by someone who may award it, then issued row by row in the
    background through the same idempotent path as single awards. Its state changes only by its
    transitions."""

    class State(models.TextChoices):
        PREVIEW = "preview", "Waiting for confirmation"
        ISSUING = "issuing", "Issuing"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="bulk_awards")
    file = models.FileField(upload_to=bulk_upload_path, max_length=300)
    original_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)
    rows = models.JSONField(default=list, help_text="Each row as read, with its outcome.")
    state = FSMField(max_length=10, choices=State.choices, default=State.PREVIEW, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    processed = models.PositiveIntegerField(default=0, help_text="Rows handled so far.")
    awarded = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return f"{self.original_name} → {self.achievement.name}"

    def get_absolute_url(self):
        return reverse("badges:bulk", args=[self.pk])

    # --- its life -----------------------------------------------------------------------------------
    # The services (``awarding.bulk``) lock the upload, fire a transition and save it.

    def _by_awarder(self, user):
        from .permissions import may_award

        return may_award(user, self.achievement)

    def _has_rows_to_award(self):
        from .awarding.bulk import awardable_rows

        return bool(awardable_rows(self.rows))

    @transition(
        field=state,
        source=State.PREVIEW,
        target=State.ISSUING,
        conditions=[_has_rows_to_award],
        permission=_by_awarder,
    )
    def confirm(self, *, by, at):
        """Someone who may award it confirms the preview: its good rows are awarded in the background."""
        self.confirmed_by, self.confirmed_at = by, at

    @transition(field=state, source=State.PREVIEW, target=State.CANCELLED, permission=_by_awarder)
    def cancel(self, *, by):
        """Nobody is awarded from it; the file and its rows are kept as they were."""

    def _every_row_handled(self):
        return self.processed >= len(self.rows)

    @transition(field=state, source=State.ISSUING, target=State.DONE, conditions=[_every_row_handled])
    def finish(self, *, at):
        self.finished_at = at


class CredlyBadge(models.Model):
    """The copy of an award issued through Credly's API: its badge id there, and how the last
    attempt went. A failure never touches the Open Badges credential."""

    class State(models.TextChoices):
        PENDING = "pending", "Being issued in Credly"
        ISSUED = "issued", "Issued in Credly"
        FAILED = "failed", "Credly refused or failed"
        REVOKING = "revoking", "Being revoked in Credly"
        REVOKED = "revoked", "Revoked in Credly"

    award = models.OneToOneField(Award, on_delete=models.PROTECT, related_name="credly")
    badge_id = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Credly badge of {self.award_id}"


class ExpiryChange(models.Model):
    """Staff changing when many awards of one achievement expire: each issued award gets a new
    credential with the new expiry, and the one it replaces is superseded in the status list."""

    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="expiry_changes")
    valid_until = models.DateTimeField(null=True, blank=True, help_text="Blank: the awards never expire.")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    award_ids = models.JSONField(default=list, help_text="The awards it re-issues.")
    processed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Expiry of {self.achievement.name} → {self.valid_until or 'never'}"
