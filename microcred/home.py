"""The "my work" home page: a workspace per person, built from the roles they hold.

- **What waits for you**: one card per role (unit review, each committee, the office, evidence to
  review, the registrar's queue, the proposals the person is to revise or finish, the learner's
  micro-credentials in progress), each with how many items wait and the first of them, oldest
  first (a committee member's open votes not yet cast before anything else). Each item links
  straight to the panel of the page where the task is done.
- **At a glance**: the person's proposals counted by state (each count opens the filtered list),
  the recent activity on the proposals they author or review, their awards.

A constant number of queries whatever the number of proposals, events or memberships: every
card reads its rows with one query (or two: a count and the first rows), never one per row.
A card with nothing in it says so in words, never with a blank box.
"""

from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timesince import timesince
from django.utils.timezone import localtime

from badges.learning import evaluates_centrally, evaluation_queue, in_progress, progress
from badges.selectors import awards_of
from proposals.policy import BodyKind, State, profile_states, stages_of
from proposals.selectors import my_proposals_to_work_on, my_state_counts
from review.models import Membership
from review.roles import roles_of
from review.selectors import activity_of, upcoming_meetings, waiting_summary
from transcripts.selectors import counts as transcript_counts

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
class Workspace:
    roles: object
    waiting: list = field(default_factory=list)
    glance: list = field(default_factory=list)

    @property
    def cards(self):
        return [*self.waiting, *self.glance]


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
        mine.sort(key=lambda r: not (voting and r[0].has_open_ballot and not r[0].voted))
        items = [
            _proposal_item(p, t, first=voting and p.has_open_ballot and not p.voted) for p, t in mine[:SHOWN]
        ]
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


def _event_line(event, user):
    who = "You" if event.actor_id == user.pk else event.actor.get_full_name() or event.actor.username
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


def _evidence_card(user):
    waiting = evaluation_queue(user)
    return Card(
        key="evaluator",
        title="Evidence to review",
        intro="Learners' evidence waiting for your decision, oldest first.",
        empty="No evidence is waiting for you.",
        items=[
            Item(
                f"{e.part_title}: {e.enrolment.learner.get_full_name() or e.enrolment.learner.username}",
                reverse("badges:review", args=[e.pk]),
                f"{e.enrolment.achievement.name} · submitted {naturaltime(e.submitted_at)}",
                task="Accept or return",
            )
            for e in waiting[:SHOWN]
        ],
        count=waiting.count(),
        actions=[("Evidence to review", reverse("badges:evaluation_queue"))],
    )


def _registrar_card():
    queue = reverse("transcripts:queue")
    rows = transcript_counts()
    return Card(
        key="registrar",
        title="Transcript queue",
        intro="Awards to check, batch and post to the student information system, by state.",
        empty="No record yet.",
        stats=[Stat(label, n, f"{queue}?state={value}") for value, label, n in rows if n],
        count=sum(n for _v, _l, n in rows),
        count_label="records",
        actions=[("Transcript queue", queue), ("Batches", reverse("transcripts:batches"))],
    )


def _enrolment_status(enrolment):
    parts = progress(enrolment)
    states = [evidence.state if evidence else "" for _part, _title, evidence in parts]
    done = sum(1 for s in states if s == "accepted")
    returned = sum(1 for s in states if s == "returned")
    waiting = sum(1 for s in states if s == "submitted")
    todo = len(parts) - done - waiting
    bits = [f"{done} of {len(parts)} part{'s' if len(parts) != 1 else ''} accepted"]
    if waiting:
        bits.append(f"{waiting} waiting for review")
    if returned:
        bits.append(f"{returned} returned with feedback")
    task = "Resubmit what was returned" if returned else "Submit your evidence" if todo else "Wait for review"
    return " · ".join(bits), task, bool(returned or todo)


def _learner_cards(user):
    enrolments = list(in_progress(user)[:SHOWN])
    awards = list(awards_of(user)[:SHOWN])
    learning = Card(
        key="learner",
        title="Your micro-credentials",
        intro="Micro-credentials you have joined and not completed yet, with each one's evidence.",
        empty="Nothing in progress: browse the catalog to join a micro-credential.",
        items=[
            Item(e.achievement.name, reverse("badges:enrolment", args=[e.pk]), meta, task=task, first=urgent)
            for e in enrolments
            for meta, task, urgent in [_enrolment_status(e)]
        ],
        count=len(enrolments),
        count_label="in progress",
        actions=[("Browse the catalog", reverse("badges:catalog"))],
    )
    held = Card(
        key="awards",
        title="Your awards",
        intro="The badges you hold, newest first.",
        empty="No award yet.",
        items=[
            Item(a.achievement.name, reverse("badges:award", args=[a.public_id]), a.get_state_display())
            for a in awards
        ],
        actions=[("My micro-credentials", reverse("badges:my_awards"))],
    )
    return learning, held


def workspace(user):
    """The home page of ``user``: the cards of what waits for them, then the overview."""
    roles = roles_of(user)
    space = Workspace(roles=roles)
    reviewer = roles.is_unit_reviewer or roles.committee_memberships or roles.is_office_staff
    # Anyone may have authored a proposal (a reviewer who used to teach): counted for all who
    # work on proposals, in one query that also says whether to show the card.
    counts = my_state_counts(user) if (roles.is_faculty or reviewer) else {}
    to_do, by_state = _faculty_cards(roles, user, counts)
    if to_do:
        space.waiting.append(to_do)
    space.waiting += _review_cards(roles, user)
    if roles.is_program_evaluator or (roles.is_office_staff and evaluates_centrally()):
        space.waiting.append(_evidence_card(user))
    if roles.is_registrar:
        space.waiting.append(_registrar_card())
    if roles.is_learner:
        learning, held = _learner_cards(user)
        space.waiting.append(learning)
        space.glance.append(held)
    if by_state:
        space.glance.append(by_state)
    if roles.is_faculty or reviewer or counts:
        space.glance.append(_activity_card(user))
    if roles.is_admin:
        space.glance.append(
            Card(
                key="admin",
                title="Administration",
                intro="Units, review bodies and memberships, people and their roles.",
                empty="",
                actions=[("Open the administration", reverse("admin:index"))],
            )
        )
    return space
