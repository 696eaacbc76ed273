from django.conf import settings
from django.db import models


class AppendOnly(models.Model):
    """A record that is written once and never changed or deleted through the ORM instance."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError(f"{self._meta.verbose_name} is append-only: immutable once saved.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{self._meta.verbose_name} is append-only: it cannot be deleted.")


class FormSubmission(models.Model):
    """A form that has been sent and done, by the submission key it was rendered with
    (``core.once``): the same form sent again (a double click, the back button and resubmit)
    finds its key here and is not done twice. The database's unique key decides between two
    copies sent at the same moment."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    path = models.CharField(max_length=500)
    # For a view that makes something new (``core.once.creates``): the person, the address
    # and what was sent (the keys left out); the back button brings the form back with a new key,
    # and the same content sent again within moments is the same form. Blank for other views.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # Where the first submission's answer sent the person: a copy is sent there too.
    outcome = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table kept its name when the model moved from the project package to the ground floor.
        db_table = "microcred_formsubmission"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.path} at {self.created_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """What the product knows of a person beyond Django's user: for people who sign in through the
    institution, what it says of them.

    ``User.first_name`` and ``User.last_name`` stay the given and family names (for single sign-on
    accounts, the institution's, refreshed at every sign-in). The name a learner chooses for their
    credentials is theirs (``badges.Learner.credential_name``): the institution never overwrites it."""

    class Affiliation(models.TextChoices):
        FACULTY = "faculty", "Faculty"
        STAFF = "staff", "Staff"
        STUDENT = "student", "Student"
        OTHER = "other", "Other"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    affiliation = models.CharField(
        max_length=10, choices=Affiliation.choices, blank=True, help_text="As the institution's sign-in says."
    )
    unit = models.CharField(max_length=200, blank=True, help_text="As the institution's sign-in says.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "profile"

    def __str__(self):
        return f"Profile of {self.user}"
