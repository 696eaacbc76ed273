from django.conf import settings
from django.db import models

from proposals.models import Unit
from proposals.policy import BodyKind


class ReviewBodyQuerySet(models.QuerySet):
    def for_profile(self, profile_key):
        return self.filter(models.Q(profile=profile_key) | models.Q(profile=""))


class ReviewBody(models.Model):
    """A body that reviews proposals: a unit curriculum committee or a university-wide body."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(max_length=30, choices=BodyKind.choices)
    profile = models.CharField(
        max_length=20,
        blank=True,
        choices=[("", "Both profiles"), ("binghamton", "Binghamton"), ("fiu", "FIU")],
        help_text="The policy profile this body belongs to; blank for unit committees, which both use.",
    )
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_bodies",
        help_text="For a unit curriculum committee: the unit whose proposals it reviews.",
    )
    quorum = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Votes needed for a decision. Blank means a majority of the body's voting members.",
    )
    is_active = models.BooleanField(default=True)

    objects = ReviewBodyQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "review bodies"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind=BodyKind.UNIT_COMMITTEE) | models.Q(unit__isnull=False),
                name="unit_committee_has_unit",
            ),
        ]

    def __str__(self):
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", "Chair"
        MEMBER = "member", "Member"
        STAFF = "staff", "Staff"

    body = models.ForeignKey(ReviewBody, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    is_active = models.BooleanField(default=True)
    since = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["body__name", "role", "user__last_name"]
        constraints = [
            models.UniqueConstraint(fields=["body", "user"], name="one_membership_per_body"),
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.body}"

    @property
    def votes(self):
        """Chairs and members vote; staff run the body's business but do not vote."""
        return self.role in (self.Role.CHAIR, self.Role.MEMBER)


class Notification(models.Model):
    """An email to one person, kept so that delivery can be retried, audited and never lost."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(max_length=200)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "created_at"])]

    def __str__(self):
        return f"{self.subject} → {self.recipient}"
