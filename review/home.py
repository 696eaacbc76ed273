"""Review's home cards: unit review, each committee the person sits on, the office, and the recent
activity on the proposals the person is part of."""

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from core.cards import SHOWN, Card, Item, Placed, Stat
from core.people import full_name
from proposals.policy import BodyKind, State, stages_of

from .models import Membership
from .selectors import activity_of, upcoming_meetings, waiting_summary


def home_cards(home):
    roles, user = home.roles, home.user
    placed = [Placed("waiting", 20, card) for card in _review_cards(roles, user)]
    if home.works_on_proposals:
        placed.append(Placed("glance", 30, _activity_card(user)))
    return placed


def _waited(moment):
    return f"waiting {timesince(moment)}" if moment else ""


def _proposal_item(proposal, task, *, first=False):
    return Item(
        proposal.title,
        task.url(proposal),
        " · ".join(x for x in (proposal.code, _waited(proposal.stage_entered_at)) if x),
        task=str(task),
        first=first,
    )


def _review_cards(roles, user):
    """Unit review, each committee the person sits on, and the office: two queries in all."""
    if not (roles.is_unit_reviewer or roles.committee_memberships or roles.is_office_staff):
        return []
    counts, rows = waiting_summary(user, per_state=SHOWN)
    cards, claimed = [], set()

    def card_rows(states, *, voting=False):
        claimed.update(states)
        mine = [(p, t) for p, t in rows if p.state in states]
        # A member's own open votes first, then (the rows come so) the longest waiting.
        mine.sort(key=lambda r: not (voting and r[0].to_vote and not r[0].voted))
        items = [_proposal_item(p, t, first=voting and p.to_vote and not p.voted) for p, t in mine[:SHOWN]]
        total = sum(n for (state, _mine), n in counts.items() if state in states)
        to_vote = sum(n for (state, open_for_me), n in counts.items() if state in states and open_for_me)
        return items, total, to_vote

    queue_action = ("My queue", reverse("review:queue"))
    if roles.is_unit_reviewer:
        bodies = ", ".join(m.body.name for m in roles.unit_reviewer_memberships)
        items, total, _ = card_rows(set(stages_of(BodyKind.UNIT_COMMITTEE)))
        cards.append(
            Card(
                key="unit-review",
                title="Unit review",
                intro=f"Proposals waiting for a decision by {bodies}, longest waiting first.",
                empty="Nothing is waiting for your unit's review.",
                items=items,
                count=total,
                count_label="to decide",
                actions=[queue_action],
            )
        )
    run = [m.body for m in roles.committee_memberships if m.role != Membership.Role.MEMBER]
    meetings = list(upcoming_meetings(run)) if run else []
    for membership in roles.committee_memberships:
        body = membership.body
        items, total, to_vote = card_rows(set(stages_of(body.kind)), voting=membership.votes)
        runs = membership.role != Membership.Role.MEMBER
        stats = []
        if membership.votes:
            stats.append(Stat("Open votes waiting for your vote", to_vote))
        if runs:
            stats.append(Stat("At this stage (votes to run and close)", total))
        cards.append(
            Card(
                key=f"body-{body.slug}",
                title=body.name,
                intro=f"You sit on this body as {membership.get_role_display().lower()}."
                + (" Your open votes come first." if membership.votes else ""),
                empty="No open votes are waiting for you."
                if membership.votes
                else "Nothing is waiting for the body's staff.",
                items=items,
                count=total,
                count_label="waiting",
                stats=stats,
                more_title="Next meetings" if runs else "",
                more=[
                    Item(
                        date_format(localtime(m.date), "j M Y, H:i"),
                        reverse("review:meeting", args=[m.pk]),
                        m.location,
                    )
                    for m in meetings
                    if m.body_id == body.pk
                ],
                actions=[queue_action, *([("Meetings", reverse("review:meetings"))] if runs else [])],
            )
        )
    if roles.is_office_staff:
        office = roles.office_memberships[0].body
        # Whatever waits that no other card of the person's shows: consultations, the office's
        # stage, fee reviews and publishing.
        states = {state for state, _ in counts} - claimed
        items, total, _ = card_rows(states)
        per_state = {}
        for (state, _open), n in counts.items():
            if state in states:
                per_state[state] = per_state.get(state, 0) + n
        names = {State.DRAFT: "Consultations requested", State.APPROVED: "Approved, to publish"}
        cards.append(
            Card(
                key="office",
                title=office.name,
                intro="Consultations, the office's own stage, fee reviews and publishing, longest "
                "waiting first.",
                empty="No consultation requests and nothing waiting at your stage.",
                items=items,
                count=total,
                stats=[
                    Stat(names.get(state, State.label(state)), n) for state, n in sorted(per_state.items())
                ],
                actions=[queue_action, ("Pipeline dashboard", reverse("review:dashboard"))],
            )
        )
    return cards


def _event_line(event, user):
    who = "You" if event.actor_id == user.pk else full_name(event.actor)
    moved = event.to_state and event.from_state != event.to_state
    where = f" ({State.label(event.from_state)} → {State.label(event.to_state)})" if moved else ""
    return f"{who}: {event.get_action_display().lower()}{where} · {naturaltime(event.created_at)}"


def _activity_card(user):
    """The latest events, one item per proposal (the most recently active first) with its latest
    steps under it, so that one busy proposal does not fill the card."""
    by_proposal = {}
    for event in activity_of(user, limit=30):
        by_proposal.setdefault(event.proposal_id, []).append(event)
    return Card(
        key="activity",
        title="Recent activity",
        intro="The latest steps in the history of the proposals you author, co-author or review.",
        empty="Nothing has happened yet on a proposal you are part of.",
        items=[
            Item(
                events[0].proposal.title,
                f"{events[0].proposal.get_absolute_url()}#history",
                lines=[_event_line(e, user) for e in events[:3]],
            )
            for events in list(by_proposal.values())[:SHOWN]
        ],
    )
