"""The routing table of each profile: kind × level × new-course flag × fees."""

from decimal import Decimal

import pytest

from proposals.models import Proposal
from proposals.policy import needs_fee_review, route

pytestmark = pytest.mark.django_db

CASES = [
    # profile, kind, level, new course, fee -> stages, fee review
    ("binghamton", "non_credit", "undergraduate", False, None, ["unit_review", "office_review"], False),
    ("binghamton", "non_credit", "graduate", True, Decimal(50), ["unit_review", "office_review"], False),
    (
        "binghamton",
        "credit",
        "undergraduate",
        False,
        None,
        ["unit_review", "eppc", "fsec", "office_review"],
        False,
    ),
    (
        "binghamton",
        "credit",
        "professional",
        True,
        None,
        ["unit_review", "eppc", "fsec", "office_review"],
        False,
    ),
    (
        "binghamton",
        "credit",
        "graduate",
        False,
        None,
        ["unit_review", "graduate_council", "eppc", "fsec", "office_review"],
        False,
    ),
    (
        "binghamton",
        "credit",
        "graduate",
        False,
        Decimal(75),
        ["unit_review", "graduate_council", "eppc", "fsec", "office_review"],
        True,
    ),
    (
        "binghamton",
        "credit",
        "undergraduate",
        False,
        Decimal(0),
        ["unit_review", "eppc", "fsec", "office_review"],
        False,
    ),
    ("fiu", "non_credit", "undergraduate", False, None, ["unit_review", "asa_review"], False),
    ("fiu", "non_credit", "professional", True, None, ["unit_review", "fscc", "asa_review"], False),
    ("fiu", "credit", "graduate", False, Decimal(75), ["unit_review", "asa_review"], False),
    ("fiu", "credit", "undergraduate", True, None, ["unit_review", "fscc", "asa_review"], False),
]


@pytest.mark.parametrize(("profile", "kind", "level", "new_course", "fee", "stages", "fee_review"), CASES)
def test_route(profile, kind, level, new_course, fee, stages, fee_review):
    from tests.factories import complete_proposal

    proposal = complete_proposal(kind=kind, level=level, fee_amount=fee)
    if new_course:
        if kind == "credit":
            proposal.courses.filter(position=0).update(is_new=True)
        else:
            Proposal.objects.filter(pk=proposal.pk).update(requires_new_program=True)
            proposal.refresh_from_db()
    assert [s.state for s in route(proposal, profile)] == stages
    assert needs_fee_review(proposal, profile) is fee_review
