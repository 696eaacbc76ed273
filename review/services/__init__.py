"""Writes of the review app, one module per kind of action (as Zulip's ``zerver/actions``):

- ``workflow``: submission, decisions, withdrawal, publishing, sign-offs, consultations, notes;
- ``voting``: casting and closing committee votes, reminding those who have not voted, and the
  tally's arithmetic;
- ``meetings``: meetings and their agendas;
- ``notifications`` and ``audit``: the emails and the history every action writes;
- ``digests``: the daily or weekly digest emails of those who chose one, and that choice.

Each action locks the proposal row first (``select_for_update``), checks that the proposal is still
where the person saw it, fires the django-fsm transition, writes the audit trail and queues the
emails for after the commit. Two people acting on the same proposal at once queue on the lock; the
second finds the state moved on and gets ``StaleState`` with a clear message, never a second
transition. Reads live in ``review.selectors``.
"""

from proposals.services import StaleState

from .audit import record
from .digests import set_delivery
from .meetings import change_agenda, create_meeting
from .notifications import next_actors, notify
from .publishing import publish, retire, supersede_due
from .stages import enter_stage
from .voting import cast_vote, close_vote, count, describe, progress, remind_voters
from .workflow import (
    add_internal_note,
    complete_consultation,
    decide,
    move_to_profile,
    sign_off_fees,
    submit,
    withdraw,
)

__all__ = [
    "StaleState",
    "add_internal_note",
    "cast_vote",
    "change_agenda",
    "close_vote",
    "complete_consultation",
    "count",
    "create_meeting",
    "decide",
    "describe",
    "enter_stage",
    "move_to_profile",
    "next_actors",
    "notify",
    "progress",
    "publish",
    "record",
    "remind_voters",
    "retire",
    "set_delivery",
    "sign_off_fees",
    "submit",
    "supersede_due",
    "withdraw",
]
