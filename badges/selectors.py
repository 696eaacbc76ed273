"""Reads of the badges app."""

import json

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core import hooks

from .models import Achievement, Award, IssuerKey


def public_award(public_id):
    """An award by its unguessable public id, with what its public page shows (three queries)."""
    return get_object_or_404(
        Award.objects.select_related("learner__learner", "achievement", "credential__key", "revoked_by"),
        public_id=public_id,
    )


def awards_of(user):
    return Award.objects.filter(learner=user).select_related("achievement").order_by("-created_at")


def published_keys():
    return list(IssuerKey.objects.order_by("created_at", "id"))


def status_of(award, now=None):
    """valid, expired, revoked, untrusted (its credential was signed by a key the institution has
    marked compromised) or pending, as the public page says it."""
    now = now or timezone.now()
    if award.state == Award.State.REVOKED:
        return "revoked"
    if award.state == Award.State.PENDING:
        return "pending"
    if award.credential is not None and award.credential.key.revoked_at is not None:
        return "untrusted"
    if award.valid_until and award.valid_until < now:
        return "expired"
    return "valid"


def credential_data(award):
    credential = award.credential
    return json.loads(credential.json) if credential else None


def current_achievement(proposal):
    """The newest achievement (version) of a published micro-credential, or None."""
    return Achievement.objects.filter(proposal=proposal).order_by("-version").first()


def award_notes(award):
    """What other apps say about the award to its learner (``core.hooks.AWARD_NOTES``)."""
    return [text for text in (note(award) for note in hooks.implementations(hooks.AWARD_NOTES)) if text]


HOLDER_STATES = (("issued", "Issued"), ("revoked", "Revoked"), ("pending", "Being issued"))


def holders(achievement, *, q="", state="", since=None, until=None):
    """The awards of a micro-credential (every published version of it), newest first, with what
    the holders page shows, filtered by the learner's name or email, the award's state and when it
    was awarded."""
    awards = Award.objects.filter(achievement__proposal_id=achievement.proposal_id)
    if q:
        for word in q.split()[:5]:
            awards = awards.filter(
                Q(learner__first_name__icontains=word)
                | Q(learner__last_name__icontains=word)
                | Q(learner__email__icontains=word)
                | Q(learner__learner__credential_name__icontains=word)
            )
    if state in dict(HOLDER_STATES):
        awards = awards.filter(state=state)
    if since:
        awards = awards.filter(created_at__date__gte=since)
    if until:
        awards = awards.filter(created_at__date__lte=until)
    return awards.select_related("learner__learner", "achievement").order_by("-created_at", "-pk")
