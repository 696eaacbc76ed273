"""Meetings of a review body and their agendas, built by the body's chair or staff."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from .. import selectors
from ..models import AgendaItem, Meeting

AGENDA_ACTIONS = ("add", "remove", "up", "down")


@transaction.atomic
def create_meeting(*, body, user, date, location="", notes=""):
    """A new meeting of ``body``; only its chair or staff call one."""
    if not selectors.bodies_run_by(user).filter(pk=body.pk).exists():
        raise PermissionDenied("Only the chair or staff of the body call its meetings.")
    meeting = Meeting(body=body, date=date, location=location, notes=notes, created_by=user)
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def change_agenda(*, meeting, user, action, item_id=None, proposal=None):
    """Add a proposal waiting for the body, remove an item, or move one up or down. The agenda's
    rows are locked so that two people editing at once never number two items alike. Returns a
    sentence saying what changed."""
    if not selectors.bodies_run_by(user).filter(pk=meeting.body_id).exists():
        raise PermissionDenied("Only the chair or staff of the body build its agenda.")
    if action not in AGENDA_ACTIONS:
        raise ValidationError("Choose add, remove, up or down.")
    items = list(meeting.items.select_for_update())
    if action == "add":
        if proposal is None or not selectors.agenda_candidates(meeting).filter(pk=proposal.pk).exists():
            raise ValidationError("Choose a proposal waiting for this body.")
        AgendaItem.objects.create(meeting=meeting, proposal=proposal, position=len(items))
        return f"“{proposal.title}” added to the agenda."
    item = next((i for i in items if i.pk == item_id), None)
    if item is None:
        raise ValidationError("That item is no longer on the agenda.")
    if action == "remove":
        item.delete()
        items.remove(item)
        said = f"“{item.proposal.title}” removed from the agenda."
    else:
        index = items.index(item)
        other = index - 1 if action == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        said = "Agenda reordered."
    for position, agenda_item in enumerate(items):
        if agenda_item.position != position:
            agenda_item.position = position
            agenda_item.save(update_fields=["position"])
    return said
