"""Demo data of the registrar's app: an academic calendar and a live queue over two terms (pending
records, one without a student ID, one verified, one batched, posted ones and a reversal), made
through the real services. Called by the project's ``seed_demo`` after ``badges.demo``."""

from datetime import date, datetime, time

from django.contrib.auth import get_user_model
from django.utils import timezone

from badges.issuing import services as badges_services
from badges.models import Award, Learner
from core.quiet import quietly
from proposals.models import Proposal

from . import services
from .models import Term, TranscriptRecord

TERMS = [
    ("202605", "Summer 2026", date.fromisoformat("2026-05-26"), date.fromisoformat("2026-08-14")),
    ("202608", "Fall 2026", date.fromisoformat("2026-08-24"), date.fromisoformat("2026-12-18")),
    ("202701", "Spring 2027", date.fromisoformat("2027-01-19"), date.fromisoformat("2027-05-14")),
]
# username, given, family, student ID, day of the award (None: today)
STUDENTS = [
    ("student-ana", "Ana", "Nuñez", "B00020001", date.fromisoformat("2026-07-10")),
    ("student-ben", "Ben", "O'Hara", "B00020002", date.fromisoformat("2026-07-12")),
    ("student-cara", "Cara", "Lindqvist", "B00020003", date.fromisoformat("2026-09-15")),
    ("student-dev", "Dev", "Patel", "B00020004", date.fromisoformat("2026-10-02")),
    ("student-eli", "Eli", "Moreau", "", None),
]


def seed_records():
    for code, name, start, end in TERMS:
        Term.objects.get_or_create(code=code, defaults={"name": name, "start": start, "end": end})
    if TranscriptRecord.objects.exists():
        return
    users = get_user_model().objects.in_bulk(["registrar", "office", "evaluator"], field_name="username")
    registrar = users["registrar"]
    proposal = Proposal.objects.filter(code="MC-DEMO-7").first()
    if proposal is None:
        return
    achievement = badges_services.create_achievement(proposal_id=proposal.pk)
    made = {}
    with quietly():
        for username, given, family, student_id, day in STUDENTS:
            user, _ = get_user_model().objects.get_or_create(
                username=username,
                defaults={"first_name": given, "last_name": family, "email": f"{username}@demo.invalid"},
            )
            Learner.objects.get_or_create(user=user, defaults={"student_id": student_id})
            award = badges_services.award(
                learner=user, achievement=achievement, awarded_by=users["evaluator"]
            )
            award = badges_services.issue_credential(award_id=award.pk)
            if day is not None:  # an award of an earlier day, as the demo's history
                moment = timezone.make_aware(datetime.combine(day, time.fromisoformat("12:00")))
                Award.objects.filter(pk=award.pk).update(issued_at=moment)
            made[username] = services.record_award(award_id=award.pk)
        for award in Award.objects.filter(learner__username="learner", state=Award.State.ISSUED):
            services.record_award(award_id=award.pk)
        summer, fall = Term.objects.get(code="202605"), Term.objects.get(code="202608")
        # Summer: both verified, batched and posted; then one award is revoked: a reversal.
        services.verify(records=[made["student-ana"], made["student-ben"]], user=registrar)
        batch = services.create_batch(term=summer, user=registrar)
        services.post_batch(
            batch=batch,
            user=registrar,
            sis_reference="SIS-2026-0815",
            posted_on=timezone.localdate(),
        )
        ben = Award.objects.get(learner__username="student-ben", achievement=achievement)
        badges_services.revoke(award=ben, user=users["office"], reason="Credits transferred in error (demo).")
        services.award_revoked(award_id=ben.pk)
        # Fall: one batched (not yet posted), one verified, the rest pending.
        services.verify(records=[made["student-cara"]], user=registrar)
        services.create_batch(term=fall, user=registrar)
        services.verify(records=[made["student-dev"]], user=registrar)
