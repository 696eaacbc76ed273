"""The "my work" home page: a workspace per person, built from the roles they hold.

- **What waits for you**: one card per role (unit review, each committee, the office, evidence to
  review, the registrar's queue, the proposals the person is to revise or finish, the learner's
  micro-credentials in progress), each with how many items wait and the first of them, oldest
  first (a committee member's open votes not yet cast before anything else). Each item links
  straight to the panel of the page where the task is done.
- **At a glance**: the person's proposals counted by state (each count opens the filtered list),
  the recent activity on the proposals they author or review, their awards.

Each app registers its cards (``core.hooks.HOME_CARDS``, in its ``apps.py``: ``proposals/home.py``,
``review/home.py``, ``badges/home.py``, ``transcripts/home.py``); this page asks every app once and
places the cards by the section and order each gives.

A constant number of queries whatever the number of proposals, events or memberships: every
card reads its rows with one query (or two: a count and the first rows), never one per row.
A card with nothing in it says so in words, never with a blank box.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.urls import reverse

from core import hooks
from core.cards import Card, Placed
from proposals.selectors import my_state_counts
from review.permissions import roles_of


@dataclass
class Workspace:
    roles: object
    waiting: list = field(default_factory=list)
    glance: list = field(default_factory=list)

    @property
    def cards(self):
        return [*self.waiting, *self.glance]


@dataclass
class Home:
    """What the apps' card builders are handed: the person, their roles, and what several cards share."""

    user: object
    roles: object

    @property
    def reviews(self):
        roles = self.roles
        return bool(roles.is_unit_reviewer or roles.committee_memberships or roles.is_office_staff)

    @cached_property
    def proposal_counts(self):
        """The person's proposals by state. Anyone may have authored a proposal (a reviewer who used
        to teach): counted for all who work on proposals, in one query that also says whether to
        show the cards."""
        return my_state_counts(self.user) if (self.roles.is_faculty or self.reviews) else {}

    @property
    def works_on_proposals(self):
        return bool(self.roles.is_faculty or self.reviews or self.proposal_counts)


def admin_cards(home):
    if not home.roles.is_admin:
        return []
    card = Card(
        key="admin",
        title="Administration",
        intro="Units, review bodies and memberships, people and their roles.",
        empty="",
        actions=[("Open the administration", reverse("admin:index"))],
    )
    return [Placed("glance", 40, card)]


def workspace(user):
    """The home page of ``user``: the cards of what waits for them, then the overview."""
    home = Home(user=user, roles=roles_of(user))
    placed = [p for builder in hooks.implementations(hooks.HOME_CARDS) for p in builder(home)]
    placed.sort(key=lambda p: p.order)
    return Workspace(
        roles=home.roles,
        waiting=[p.card for p in placed if p.section == "waiting"],
        glance=[p.card for p in placed if p.section == "glance"],
    )
