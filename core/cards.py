"""Home page cards: what each app shows a person on the home page (registered with
``core.hooks.HOME_CARDS``), as plain data the project's home template renders."""

from dataclasses import dataclass, field

# How many items a card lists; the rest are one click away on the full list.
SHOWN = 5


@dataclass
class Item:
    label: str
    url: str
    meta: str = ""
    # What the person is to do (the link's purpose), shown first under the label.
    task: str = ""
    # Waiting for this person's own vote or action before anything else in the card.
    first: bool = False
    # Further lines under the item (a proposal's latest steps).
    lines: list = field(default_factory=list)


@dataclass
class Stat:
    label: str
    count: int
    url: str = ""


@dataclass
class Card:
    key: str
    title: str
    intro: str
    empty: str
    items: list = field(default_factory=list)
    # How many wait in all (the items are the first of them), and what they are.
    count: int | None = None
    count_label: str = "waiting"
    stats: list = field(default_factory=list)
    # A second, shorter list under the first (a chair's next meetings).
    more_title: str = ""
    more: list = field(default_factory=list)
    actions: list = field(default_factory=list)

    @property
    def is_empty(self):
        """Nothing to list and nothing counted: the card says so in words."""
        return not self.items and not any(stat.count for stat in self.stats)


@dataclass
class Placed:
    """A card and where it goes: ``section`` is ``"waiting"`` (what waits for the person) or
    ``"glance"`` (the overview); cards are shown by ``order`` within their section."""

    section: str
    order: int
    card: Card
