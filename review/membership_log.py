"""Recording every change of a review body's membership (``MembershipChange``): added, role or
activity changed, removed; with who made it when that is known (the Django admin says so through
``acting``). Signals, so that the admin's change form, its inline on the body and any other save
or delete are all recorded the same way. A change of a voting membership while the body has votes
open is also told in those proposals' histories (``services.voting.record_membership_change``)."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from core.people import name_in_records

from .models import Membership, MembershipChange
from .services.voting import record_membership_change

_actor = ContextVar("membership_actor", default=None)


@contextmanager
def acting(user):
    """Changes of memberships made inside are recorded as made by ``user``."""
    token = _actor.set(user)
    try:
        yield
    finally:
        _actor.reset(token)


def _person_name(user):
    return name_in_records(user)[:300]


@receiver(pre_save, sender=Membership)
def _remember_before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._before = None
        return
    instance._before = Membership.objects.filter(pk=instance.pk).values("role", "is_active").first()


@receiver(post_save, sender=Membership)
def _record_save(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    before = None if created else getattr(instance, "_before", None)
    if before is not None and before == {"role": instance.role, "is_active": instance.is_active}:
        return  # saved without a change
    actor = _actor.get()
    change = MembershipChange.objects.create(
        body=instance.body,
        body_name=instance.body.name[:200],
        person=instance.user,
        person_name=_person_name(instance.user),
        action=MembershipChange.Action.ADDED if before is None else MembershipChange.Action.CHANGED,
        role_before=before["role"] if before else "",
        role_after=instance.role,
        active_before=before["is_active"] if before else None,
        active_after=instance.is_active,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_membership_change(change)


@receiver(post_delete, sender=Membership)
def _record_delete(sender, instance, **kwargs):
    actor = _actor.get()
    body = sender.body.field.related_model.objects.filter(pk=instance.body_id).first()
    user = sender.user.field.related_model.objects.filter(pk=instance.user_id).first()
    change = MembershipChange.objects.create(
        body=body,
        body_name=(body.name if body else f"review body {instance.body_id}")[:200],
        person=user,
        person_name=_person_name(user) if user else f"user {instance.user_id}",
        action=MembershipChange.Action.REMOVED,
        role_before=instance.role,
        active_before=instance.is_active,
        changed_by=actor if actor is not None and actor.is_authenticated else None,
    )
    record_membership_change(change)
