"""The "my work" home page: one panel per role a person holds, each saying what they can do now.

Each later stage of the product (proposals, review queues, awards, transcripts) fills its panel's
items; a panel with nothing in it says so in words, never with a blank box.
"""

from dataclasses import dataclass, field

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse

from badges.learning import evaluates_centrally, evaluation_queue
from badges.selectors import awards_of
from proposals.policy import State
from proposals.selectors import my_proposals
from review.roles import roles_of
from review.selectors import queue, stages_of
from transcripts.selectors import counts as transcript_counts


@dataclass
class Item:
    label: str
    url: str
    meta: str = ""


@dataclass
class Panel:
    key: str
    title: str
    intro: str
    empty: str
    items: list = field(default_factory=list)
    actions: list = field(default_factory=list)


def _waiting(user):
    """The first items of the person's review queue as (state, item): one query."""
    queryset, task = queue(user)
    return [
        (p.state, Item(p.title, p.get_absolute_url(), f"{task(p)} · {p.state_label}")) for p in queryset[:30]
    ]


def work_panels(user):
    roles = roles_of(user)
    panels = []
    if roles.is_faculty or my_proposals(user).exists():
        units = ", ".join(u.name for u in roles.faculty_units) or "no unit yet"
        proposals = list(my_proposals(user)[:6])
        panels.append(
            Panel(
                key="faculty",
                title="Your proposals",
                intro=f"Micro-credential proposals you author or co-author ({units}).",
                empty="You have no proposals yet.",
                items=[
                    Item(
                        p.title,
                        p.get_absolute_url(),
                        f"{p.state_label} · changed {naturaltime(p.updated_at)}",
                    )
                    for p in proposals[:5]
                ],
                actions=[
                    *([("Start a proposal", reverse("proposals:create"))] if roles.is_faculty else []),
                    *([("All my proposals", reverse("proposals:mine"))] if len(proposals) > 5 else []),
                ],
            )
        )
    waiting = (
        _waiting(user)
        if (roles.is_unit_reviewer or roles.committee_memberships or roles.is_office_staff)
        else []
    )
    if roles.is_unit_reviewer:
        bodies = ", ".join(m.body.name for m in roles.unit_reviewer_memberships)
        panels.append(
            Panel(
                key="unit-review",
                title="Unit review",
                intro=f"Proposals waiting for a decision by {bodies}.",
                empty="Nothing is waiting for your unit's review.",
                items=[row for state, row in waiting if state == State.UNIT_REVIEW][:5],
                actions=[("My queue", reverse("review:queue"))],
            )
        )
    for membership in roles.committee_memberships:
        panels.append(
            Panel(
                key=f"body-{membership.body.slug}",
                title=membership.body.name,
                intro=f"You sit on this body as {membership.get_role_display().lower()}.",
                empty="No open votes are waiting for you."
                if membership.votes
                else "Nothing is waiting for the body's staff.",
                items=[row for state, row in waiting if state in stages_of(membership.body.kind)][:5],
                actions=[("Meetings", reverse("review:meetings"))]
                if membership.role != membership.Role.MEMBER
                else [],
            )
        )
    if roles.is_office_staff:
        office = roles.office_memberships[0].body
        panels.append(
            Panel(
                key="office",
                title=office.name,
                intro="Consultations, the pipeline and publishing approved micro-credentials.",
                empty="No consultation requests and nothing waiting at your stage.",
                items=[row for _state, row in waiting][:5],
                actions=[
                    ("My queue", reverse("review:queue")),
                    ("Pipeline dashboard", reverse("review:dashboard")),
                ],
            )
        )
    if roles.is_program_evaluator or (roles.is_office_staff and evaluates_centrally()):
        waiting_evidence = list(evaluation_queue(user)[:5])
        panels.append(
            Panel(
                key="evaluator",
                title="Evidence to review",
                intro="Learners' evidence waiting for your decision, oldest first.",
                empty="No evidence is waiting for you.",
                items=[
                    Item(
                        f"{e.part_title}: {e.enrolment.learner.get_full_name() or e.enrolment.learner.username}",
                        reverse("badges:review", args=[e.pk]),
                        f"{e.enrolment.achievement.name} · submitted {naturaltime(e.submitted_at)}",
                    )
                    for e in waiting_evidence
                ],
                actions=[("Evidence to review", reverse("badges:evaluation_queue"))],
            )
        )
    if roles.is_registrar:
        panels.append(
            Panel(
                key="registrar",
                title="Transcript queue",
                intro="Awards to check, batch and post to the student information system.",
                empty="No record yet.",
                items=[
                    Item(
                        label,
                        f"{reverse('transcripts:queue')}?state={value}",
                        f"{n} record{'s' if n != 1 else ''}",
                    )
                    for value, label, n in transcript_counts()
                    if n
                ],
                actions=[
                    ("Transcript queue", reverse("transcripts:queue")),
                    ("Batches", reverse("transcripts:batches")),
                ],
            )
        )
    if roles.is_learner:
        awards = list(awards_of(user)[:5])
        panels.append(
            Panel(
                key="learner",
                title="Your micro-credentials",
                intro="Micro-credentials you have joined and the badges you hold.",
                empty="You have not joined a micro-credential yet: browse the catalog to find one.",
                items=[
                    Item(
                        a.achievement.name, reverse("badges:award", args=[a.public_id]), a.get_state_display()
                    )
                    for a in awards
                ],
                actions=[
                    ("My micro-credentials", reverse("badges:my_awards")),
                    ("Browse the catalog", reverse("badges:catalog")),
                ],
            )
        )
    if roles.is_admin:
        panels.append(
            Panel(
                key="admin",
                title="Administration",
                intro="Units, review bodies and memberships, people and their roles.",
                empty="",
                actions=[("Open the administration", reverse("admin:index"))],
            )
        )
    return roles, panels
