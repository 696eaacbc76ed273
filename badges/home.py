"""Badges' home cards: evidence waiting for an evaluator, and a learner's micro-credentials in
progress and awards."""

from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse

from core.cards import SHOWN, Card, Item, Placed
from core.people import full_name

from .learning.selectors import evaluation_queue, in_progress, progress
from .permissions import has_evaluation_queue
from .selectors import awards_of


def home_cards(home):
    roles, user = home.roles, home.user
    placed = []
    if has_evaluation_queue(roles):
        placed.append(Placed("waiting", 30, _evidence_card(user)))
    if roles.is_learner:
        learning, held = _learner_cards(user)
        placed += [Placed("waiting", 50, learning), Placed("glance", 10, held)]
    return placed


def _evidence_card(user):
    waiting = evaluation_queue(user)
    return Card(
        key="evaluator",
        title="Evidence to review",
        intro="Learners' evidence waiting for your decision, oldest first.",
        empty="No evidence is waiting for you.",
        items=[
            Item(
                f"{e.part_title}: {full_name(e.enrolment.learner)}",
                reverse("badges:review", args=[e.pk]),
                f"{e.enrolment.achievement.name} · submitted {naturaltime(e.submitted_at)}",
                task="Accept or return",
            )
            for e in waiting[:SHOWN]
        ],
        count=waiting.count(),
        actions=[("Evidence to review", reverse("badges:evaluation_queue"))],
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
