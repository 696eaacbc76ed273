"""The two policy profiles this product implements, as data.

Each profile names its review bodies and the office that runs the pipeline. Later rules (credit
limits, routing tables) are added here too, each citing the sentence of the policy it comes from:
``../shared/policies/000_12fd21f330511ec2.txt`` (Binghamton) and ``004_fb961b51d850dc18.txt`` (FIU).
"""

from dataclasses import dataclass

from django.conf import settings


class BodyKind:
    """Kinds of review body. Values are stored in the database; labels are what people read."""

    UNIT_COMMITTEE = "unit_committee"
    OFFICE_COMMITTEE = "office_committee"
    GRADUATE_COUNCIL = "graduate_council"
    EPPC = "eppc"
    FSEC = "fsec"
    FSCC = "fscc"
    ASA = "asa"

    choices = [
        (UNIT_COMMITTEE, "Unit curriculum committee"),
        (OFFICE_COMMITTEE, "Office of Micro-Credentials review committee"),
        (GRADUATE_COUNCIL, "Graduate Council"),
        (EPPC, "Faculty Senate EPPC"),
        (FSEC, "Faculty Senate Executive Committee (FSEC)"),
        (FSCC, "Faculty Senate Curriculum Committee"),
        (ASA, "Academic and Student Affairs"),
    ]


@dataclass(frozen=True)
class PolicyProfile:
    key: str
    institution: str
    policy_title: str
    office_name: str
    # The body whose staff run the pipeline, consult on drafts and publish approved credentials.
    office_body: str
    # University-wide bodies of this profile, in the order a credit-bearing proposal meets them.
    bodies: tuple[str, ...]

    def body_label(self, kind):
        return dict(BodyKind.choices)[kind]


PROFILES = {
    "binghamton": PolicyProfile(
        key="binghamton",
        institution="Binghamton University",
        policy_title="Binghamton University Micro-Credential Policy",
        # "Help in developing strong proposals will be offered by an Office of Micro-Credentials"
        office_name="Office of Micro-Credentials",
        # "A committee of faculty and instructional design professionals will review proposals"
        office_body=BodyKind.OFFICE_COMMITTEE,
        # "review by the Graduate Council (if at the graduate level) and the Faculty Senate process
        # for internally approved items (EPPC and FSEC review)"
        bodies=(BodyKind.GRADUATE_COUNCIL, BodyKind.EPPC, BodyKind.FSEC, BodyKind.OFFICE_COMMITTEE),
    ),
    "fiu": PolicyProfile(
        key="fiu",
        institution="Florida International University",
        policy_title="FIU Policy 380.104, Development and Issuance of Micro-Credentials",
        # "ASA is responsible for the oversight, including planning, approval and awarding"
        office_name="Academic and Student Affairs",
        office_body=BodyKind.ASA,
        # "would traditionally require approval through the Faculty Senate Curriculum Committee,
        # must still follow that approval process"
        bodies=(BodyKind.FSCC, BodyKind.ASA),
    ),
}


def active_profile() -> PolicyProfile:
    return PROFILES[settings.MICROCRED_POLICY]


class State:
    """States of a proposal's approval workflow, named as the policies name the stages."""

    DRAFT = "draft"
    UNIT_REVIEW = "unit_review"
    GRADUATE_COUNCIL = "graduate_council"
    EPPC = "eppc"
    FSEC = "fsec"
    OFFICE_REVIEW = "office_review"
    FSCC = "fscc"
    ASA_REVIEW = "asa_review"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    choices = [
        (DRAFT, "Draft"),
        (UNIT_REVIEW, "Unit review"),
        (GRADUATE_COUNCIL, "Graduate Council review"),
        (EPPC, "EPPC review"),
        (FSEC, "FSEC review"),
        (OFFICE_REVIEW, "Office of Micro-Credentials committee review"),
        (FSCC, "Faculty Senate Curriculum Committee review"),
        (ASA_REVIEW, "Academic and Student Affairs review"),
        (APPROVED, "Approved"),
        (PUBLISHED, "Published"),
        (RETIRED, "Retired"),
        (RETURNED, "Returned for revision"),
        (REJECTED, "Rejected"),
        (WITHDRAWN, "Withdrawn"),
    ]
    # Authors may edit only in these states.
    EDITABLE = (DRAFT, RETURNED)
    # Under review by someone: the stages between submission and approval.
    REVIEW_STAGES = (UNIT_REVIEW, GRADUATE_COUNCIL, EPPC, FSEC, OFFICE_REVIEW, FSCC, ASA_REVIEW)

    @classmethod
    def label(cls, value):
        return dict(cls.choices).get(value, value)


# --- Routing ------------------------------------------------------------------------------------
# Who decides a stage: one reviewer's decision, or a committee's vote closed by its chair.
DECISION = "decision"
VOTE = "vote"


def _always(proposal):
    return True


def _credit_bearing(proposal):
    return proposal.kind == "credit"


def _credit_bearing_graduate(proposal):
    return proposal.kind == "credit" and proposal.level == "graduate"


def needs_curriculum_approval(proposal):
    """A new course or program needs the regular curriculum approval first."""
    return proposal.requires_new_program or any(c.is_new for c in proposal.courses.all())


def charges_additional_fees(proposal):
    return proposal.kind == "credit" and bool(proposal.fee_amount)


@dataclass(frozen=True)
class Stage:
    state: str
    body_kind: str
    decided_by: str
    applies: object  # proposal -> bool
    why: str

    @property
    def label(self):
        return State.label(self.state)


# The route per profile, in order; a stage whose ``applies`` is false for a proposal is skipped.
ROUTES = {
    "binghamton": (
        Stage(
            State.UNIT_REVIEW,
            BodyKind.UNIT_COMMITTEE,
            DECISION,
            _always,
            "“proposals that have successfully gone through the regular School, College or unit "
            "curriculum approval procedures”",
        ),
        Stage(
            State.GRADUATE_COUNCIL,
            BodyKind.GRADUATE_COUNCIL,
            VOTE,
            _credit_bearing_graduate,
            "“review by the Graduate Council (if at the graduate level)”",
        ),
        Stage(
            State.EPPC,
            BodyKind.EPPC,
            VOTE,
            _credit_bearing,
            "“the Faculty Senate process for internally approved items (EPPC and FSEC review)”",
        ),
        Stage(
            State.FSEC,
            BodyKind.FSEC,
            VOTE,
            _credit_bearing,
            "“the Faculty Senate process for internally approved items (EPPC and FSEC review)”",
        ),
        Stage(
            State.OFFICE_REVIEW,
            BodyKind.OFFICE_COMMITTEE,
            VOTE,
            _always,
            "“Both types of micro-credentials go through review processes before submission to the "
            "Office of Micro-Credentials for an approval process that involves faculty”",
        ),
    ),
    "fiu": (
        Stage(
            State.UNIT_REVIEW,
            BodyKind.UNIT_COMMITTEE,
            DECISION,
            _always,
            "“Micro-credentials aligned to an existing program, course, or experience will be developed "
            "by the unit in consultation with ASA”",
        ),
        Stage(
            State.FSCC,
            BodyKind.FSCC,
            VOTE,
            needs_curriculum_approval,
            "“would traditionally require approval through the Faculty Senate Curriculum Committee, "
            "must still follow that approval process”",
        ),
        Stage(
            State.ASA_REVIEW,
            BodyKind.ASA,
            DECISION,
            _always,
            "“ASA is responsible for the oversight, including planning, approval and awarding”",
        ),
    ),
}

# Binghamton: "Any additional fees beyond tuition associated with credit-bearing micro-credentials are
# subject to the normal fee review processes": a fee review sign-off is recorded before approval.
FEE_REVIEW = {"binghamton": charges_additional_fees, "fiu": lambda proposal: False}


def route(proposal, profile_key=None):
    """The stages this proposal goes through under the profile, in order."""
    return [stage for stage in ROUTES[profile_key or active_profile().key] if stage.applies(proposal)]


def stage_for(state, profile_key=None):
    return next((s for s in ROUTES[profile_key or active_profile().key] if s.state == state), None)


def next_state(proposal, profile_key=None):
    """Where approval at the proposal's current stage leads: the next stage, or approved."""
    states = [stage.state for stage in route(proposal, profile_key)]
    if proposal.state not in states:
        return None
    index = states.index(proposal.state)
    return states[index + 1] if index + 1 < len(states) else State.APPROVED


def needs_fee_review(proposal, profile_key=None):
    return FEE_REVIEW[profile_key or active_profile().key](proposal)
