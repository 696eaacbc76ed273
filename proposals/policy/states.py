"""The proposal's states and the kinds of review body, with their choices: fixed lifecycle states
and unit committees, plus whatever stages and bodies the registered profiles bring."""

from .types import PROFILES


class _States(type):
    """The review stages are the union of every profile's stages, so a new profile brings its own."""

    @property
    def REVIEW_STAGES(cls):
        seen = []
        for profile in PROFILES.values():
            seen.extend(s.state for s in profile.stages if s.state not in seen)
        return tuple(seen)

    @property
    def WITHDRAWABLE(cls):
        # Authors may withdraw at any stage before approval.
        return (cls.DRAFT, cls.RETURNED, *cls.REVIEW_STAGES)

    @property
    def choices(cls):
        stages = [(state, cls.label(state)) for state in cls.REVIEW_STAGES]
        return [cls.LIFECYCLE[0], *stages, *cls.LIFECYCLE[1:]]


class State(metaclass=_States):
    """States of a proposal's approval workflow. The lifecycle states are fixed; the review stages
    between submission and approval come from the profiles (the constants below name the stages
    of the two profiles shipped, as the policies name them)."""

    DRAFT = "draft"
    APPROVED = "approved"
    PUBLISHED = "published"
    RETIRED = "retired"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    UNIT_REVIEW = "unit_review"
    GRADUATE_COUNCIL = "graduate_council"
    EPPC = "eppc"
    FSEC = "fsec"
    OFFICE_REVIEW = "office_review"
    FSCC = "fscc"
    ASA_REVIEW = "asa_review"

    LIFECYCLE = (
        (DRAFT, "Draft"),
        (APPROVED, "Approved"),
        (PUBLISHED, "Published"),
        (RETIRED, "Retired"),
        (RETURNED, "Returned for revision"),
        (REJECTED, "Rejected"),
        (WITHDRAWN, "Withdrawn"),
    )
    # Authors may edit only in these states.
    EDITABLE = (DRAFT, RETURNED)
    # A revision of a published micro-credential is open until it ends in one of these (retired:
    # after it has replaced the published one); only one may be open at a time.
    REVISION_ENDED = (REJECTED, WITHDRAWN, RETIRED)

    @classmethod
    def label(cls, value):
        for state, label in cls.LIFECYCLE:
            if state == value:
                return label
        for profile in PROFILES.values():
            for stage in profile.stages:
                if stage.state == value:
                    return stage.label
        return value


def state_choices():
    """Choices of the proposal's state field: lifecycle states and every profile's stages."""
    return State.choices


class _BodyKinds(type):
    @property
    def choices(cls):
        kinds = [(cls.UNIT_COMMITTEE, "Unit curriculum committee")]
        for profile in PROFILES.values():
            kinds.extend((b.kind, b.label) for b in profile.bodies if b.kind not in dict(kinds))
        return kinds


class BodyKind(metaclass=_BodyKinds):
    """Kinds of review body: unit curriculum committees (every profile) and the university-wide
    bodies each profile names."""

    UNIT_COMMITTEE = "unit_committee"
    OFFICE_COMMITTEE = "office_committee"
    GRADUATE_COUNCIL = "graduate_council"
    EPPC = "eppc"
    FSEC = "fsec"
    FSCC = "fscc"
    ASA = "asa"

    @classmethod
    def label(cls, kind):
        return dict(cls.choices).get(kind, kind)


def body_kind_choices():
    return BodyKind.choices
