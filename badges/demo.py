"""Demo data of the badges app: a signing key (demo sites only), the achievements of the published
demo micro-credentials, and awards to the demo learner through the real services: a credit-bearing
one, a non-credit one and a revoked one, and one micro-credential in progress. Called by the project's ``seed_demo`` after ``review.demo``."""

from django.contrib.auth import get_user_model

from core.quiet import quietly
from proposals.models import Proposal
from proposals.policy import State

from .issuing import services
from .learning import selectors as learning_selectors
from .learning import services as learning
from .models import Award, Enrolment, IssuerKey, Learner
from .permissions import evaluates_centrally

# code of a published demo proposal -> what happens to the demo learner's award of it
DEMO_AWARDS = {"MC-DEMO-5": "issued", "MC-DEMO-7": "issued", "MC-DEMO-8": "revoked"}
# A micro-credential the demo learner has joined and is working on: the first part's evidence waits
# for the evaluator, the rest is still to submit.
DEMO_IN_PROGRESS = "MC-DEMO-15"


def seed_awards():
    """The demo learner (an enrolled student) joins the published demo micro-credentials, submits
    evidence for each part, the evaluator accepts it (the office, where the profile awards
    centrally), and the awards are issued; one is then revoked."""
    users = get_user_model().objects.in_bulk(["learner", "evaluator", "office"], field_name="username")
    learner = users["learner"]
    Learner.objects.get_or_create(user=learner, defaults={"student_id": "B00012345"})
    evaluator = users["office"] if evaluates_centrally() else users["evaluator"]
    if not IssuerKey.objects.filter(retired_at__isnull=True).exists():
        services.create_issuer_key()
    with quietly():
        # Every published micro-credential has its achievement, the micro-certificate included: it
        # is awarded by itself once the learner holds both of its components.
        for proposal_id in Proposal.objects.filter(state=State.PUBLISHED).values_list("pk", flat=True):
            services.create_achievement(proposal_id=proposal_id)
        for code, outcome in DEMO_AWARDS.items():
            proposal = Proposal.objects.filter(code=code, state=State.PUBLISHED).first()
            if (
                proposal is None
                or Award.objects.filter(learner=learner, achievement__proposal=proposal).exists()
            ):
                continue
            achievement = services.create_achievement(proposal_id=proposal.pk)
            enrolment = learning.join(
                user=learner, achievement=achievement, evidence_public=True, listed=True
            )
            award = None
            for part, _title in learning_selectors.required_parts(achievement):
                evidence = learning.submit_evidence(
                    enrolment=enrolment,
                    user=learner,
                    part=part,
                    text="My portfolio of two projects, with the rubric scores from the studio.",
                )
                award = (
                    learning.review_evidence(evidence=evidence, user=evaluator, decision="accept") or award
                )
            award = services.issue_credential(award_id=award.pk)
            if outcome == "revoked" and award.state == Award.State.ISSUED:
                services.revoke(award=award, user=users["office"], reason="Awarded in error (demo).")
        in_progress = Proposal.objects.filter(code=DEMO_IN_PROGRESS, state=State.PUBLISHED).first()
        if (
            in_progress is not None
            and not Enrolment.objects.filter(learner=learner, achievement__proposal=in_progress).exists()
        ):
            achievement = services.create_achievement(proposal_id=in_progress.pk)
            enrolment = learning.join(user=learner, achievement=achievement)
            part, _title = learning_selectors.required_parts(achievement)[0]
            learning.submit_evidence(
                enrolment=enrolment,
                user=learner,
                part=part,
                text="My project plan for the capstone, with its schedule and risk register.",
            )
        # The micro-certificate its components brought, issued here rather than by a worker.
        for pending in Award.objects.filter(state=Award.State.PENDING).values_list("pk", flat=True):
            services.issue_credential(award_id=pending)
