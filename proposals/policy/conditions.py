"""The conditions under which a stage (or a fee review) applies to a proposal, shared by the
profiles: each takes a proposal and answers yes or no."""

from django.db.models import Q

from ..choices import Kind, Level


def always(proposal):
    return True


def credit_bearing(proposal):
    return proposal.kind == Kind.CREDIT_BEARING


def credit_bearing_graduate(proposal):
    return proposal.kind == Kind.CREDIT_BEARING and proposal.level == Level.GRADUATE


def needs_curriculum_approval(proposal):
    """A new course or program, or micro-credentials designed to stack into academic credit, need
    the regular curriculum approval first."""
    return (
        proposal.requires_new_program
        or proposal.stacks_for_credit
        or any(c.is_new for c in proposal.courses.all())
    )


def charges_additional_fees(proposal):
    return proposal.kind == Kind.CREDIT_BEARING and bool(proposal.fee_amount)


def charges_additional_fees_q():
    return Q(kind=Kind.CREDIT_BEARING, fee_amount__gt=0)
