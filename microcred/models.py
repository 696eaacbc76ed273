from django.conf import settings
from django.db import models


class FormSubmission(models.Model):
    """A form that has been sent and done, by the submission key it was rendered with
    (``microcred.once``): the same form sent again (a double click, the back button and resubmit)
    finds its key here and is not done twice. The database's unique key decides between two
    copies sent at the same moment."""

    key = models.UUIDField(unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE)
    path = models.CharField(max_length=500)
    # For a view that makes something new (``microcred.once.creates``): the person, the address
    # and what was sent (the keys left out); the back button brings the form back with a new key,
    # and the same content sent again within moments is the same form. Blank for other views.
    fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    # Where the first submission's answer sent the person: a copy is sent there too.
    outcome = models.CharField(max_length=2000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.path} at {self.created_at:%Y-%m-%d %H:%M}"
