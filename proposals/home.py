"""Proposals' home cards: what the authors are to do (revise a returned proposal, finish a draft)
and their proposals by state."""

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse

from core.cards import SHOWN, Card, Item, Placed, Stat

from .policy import State, profile_states
from .selectors import my_proposals_to_work_on


def home_cards(home):
    to_do, by_state = _faculty_cards(home.roles, home.user, home.proposal_counts)
    return [
        *([Placed("waiting", 10, to_do)] if to_do else []),
        *([Placed("glance", 20, by_state)] if by_state else []),
    ]


def _faculty_cards(roles, user, counts):
    """What the authors are to do (revise a returned proposal, finish a draft) and their
    proposals by state; one query for the first, the counts are read once for both."""
    if not (roles.is_faculty or counts):
        return None, None
    units = ", ".join(u.name for u in roles.faculty_units) or "no unit yet"
    to_do = None
    editable = counts.get(State.RETURNED, 0) + counts.get(State.DRAFT, 0)
    if editable:
        to_do = Card(
            key="faculty-todo",
            title="To revise or submit",
            intro="Proposals returned to you for revision first, then your drafts; the longest "
            "untouched first.",
            empty="",
            items=[
                Item(
                    p.title,
                    f"{p.get_absolute_url()}#submit",
                    f"{p.state_label} · last changed {naturaltime(p.updated_at)}",
                    task="Revise and resubmit" if p.state == State.RETURNED else "Finish and submit",
                    first=p.state == State.RETURNED,
                )
                for p in my_proposals_to_work_on(user, limit=SHOWN)
            ],
            count=editable,
            actions=[("All my proposals", reverse("proposals:mine"))],
        )
    mine = reverse("proposals:mine")
    order = profile_states()
    by_state = Card(
        key="faculty",
        title="Your proposals",
        intro=f"Micro-credential proposals you author or co-author ({units}), by state.",
        empty="You have no proposals yet.",
        stats=[
            Stat(State.label(state), counts[state], f"{mine}?state={state}")
            for state in [*order, *(s for s in counts if s not in order)]
            if counts.get(state)
        ],
        count=sum(counts.values()),
        count_label="in all",
        actions=[
            *([("Start a proposal", reverse("proposals:create"))] if roles.is_faculty else []),
            *([("All my proposals", mine)] if counts else []),
        ],
    )
    return to_do, by_state
