"""Demo data of the badges app: a signing key (demo sites only), the achievements of the published
demo micro-credentials, and awards to the demo learner through the real services: a credit-bearing
one, a non-credit one and a revoked one. Called by the project's ``seed_demo`` after ``review.demo``."""

from django.contrib.auth import get_user_model

from proposals.models import Proposal
from proposals.policy import State
from review.services import quietly

from . import services
from .models import Award, IssuerKey

# code of a published demo proposal -> what happens to the demo learner's award of it
DEMO_AWARDS = {"MC-DEMO-5": "issued", "MC-DEMO-7": "issued", "MC-DEMO-8": "revoked"}


def seed_awards():
    users = get_user_model().objects.in_bulk(["learner", "evaluator", "office"], field_name="username")
    if not IssuerKey.objects.filter(retired_at__isnull=True).exists():
        services.create_issuer_key()
    with quietly():
        for code, outcome in DEMO_AWARDS.items():
            proposal = Proposal.objects.filter(code=code, state=State.PUBLISHED).first()
            if proposal is None:
                continue
            achievement = services.create_achievement(proposal_id=proposal.pk)
            award = services.award(
                learner=users["learner"],
                achievement=achievement,
                awarded_by=users["evaluator"],
                narrative="A portfolio of two projects and a closing reflection.",
                evidence_public=True,
                listed=True,
            )
            award = services.issue_credential(award_id=award.pk)
            if outcome == "revoked" and award.state == Award.State.ISSUED:
                services.revoke(award=award, user=users["office"], reason="Awarded in error (demo).")
