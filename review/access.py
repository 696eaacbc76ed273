"""Who besides the authors may read a proposal, registered with ``proposals.access``."""

from django.db.models import Q

from proposals.models import Consultation, Proposal, Unit
from proposals.policy import State

from .roles import roles_of


def reviewer_reading_rule(user):
    """Reviewers read what has been submitted to them; the office also reads drafts whose authors
    asked it for a consultation.

    - unit reviewers: submitted proposals that their unit, or a unit below it, originates or
      co-sponsors;
    - members, chairs and staff of a university-wide body, and the office's staff: every
      submitted proposal (they review all that reach the university level);
    - the office's staff: drafts on which the authors asked it for a consultation (open or
      completed: it keeps reading what it advised on), and revisions of published micro-credentials
      from their start (it may start one itself, and it publishes what it replaces).
    """
    roles = roles_of(user)
    submitted = ~Q(state=State.DRAFT)
    q = Q(pk__in=[])
    if roles.unit_reviewer_memberships:
        units = Unit.objects.subtree_ids([m.body.unit_id for m in roles.unit_reviewer_memberships])
        co_sponsored = Proposal.co_sponsors.through.objects.filter(unit_id__in=units).values("proposal_id")
        q |= submitted & (Q(unit_id__in=units) | Q(pk__in=co_sponsored))
    if roles.committee_memberships or roles.office_memberships:
        q |= submitted
    if roles.office_memberships:
        q |= Q(pk__in=Consultation.objects.values("proposal_id")) | Q(revision_of__isnull=False)
    return q
