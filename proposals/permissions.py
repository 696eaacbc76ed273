"""Who may read and edit a proposal: one helper per question, used by every view.

The proposals app knows its authors; the review app knows reviewers, committees and the office. So
that this app never imports ``review``, the review app registers its reading rules and action rules
with ``core.hooks`` when it starts (``review.apps``).
"""

from django.db.models import Q

from core import hooks

from .policy import State


def may(verb, proposal, user):
    """Whether ``user`` may take the workflow action ``verb`` on ``proposal`` (the rule another app
    registered for it, ``core.hooks.PROPOSAL_ACTIONS``). Nobody may act on a proposal they author,
    whatever else they are; an unregistered action is refused."""
    rule = hooks.keyed(hooks.PROPOSAL_ACTIONS, verb)
    if rule is None or not user.is_authenticated or is_author(user, proposal):
        return False
    return rule(proposal, user)


def authored_ids(user):
    """The ids of the proposals the person leads or co-authors: a union of two indexed look-ups
    (``lead_author``, and the co-authors table by user). Joining the co-authors table and testing
    "lead author or co-author" instead scans every proposal."""
    from .models import Proposal

    led = Proposal.objects.filter(lead_author=user).order_by().values("pk")
    co_authored = Proposal.co_authors.through.objects.filter(user=user).values("proposal_id")
    return led.union(co_authored)


def authored_q(user, field="pk"):
    """Proposals (or, with ``field``, rows whose ``field`` is a proposal's id) the person authors."""
    return Q(**{f"{field}__in": authored_ids(user)})


def readable_q(user):
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    q = authored_q(user)
    for rule in hooks.implementations(hooks.PROPOSAL_READERS):
        q |= rule(user)
    return q


def readable_proposals(user):
    from .models import Proposal

    # No rule joins a to-many relation (each tests ``pk__in`` a subquery), so no row repeats and
    # neither DISTINCT nor a wrapping id subquery is needed.
    return Proposal.objects.filter(readable_q(user))


def is_author(user, proposal):
    if not user.is_authenticated:
        return False
    if proposal.lead_author_id == user.pk:
        return True
    return any(u.pk == user.pk for u in proposal.co_authors.all())


def can_read(user, proposal):
    return is_author(user, proposal) or readable_proposals(user).filter(pk=proposal.pk).exists()


def can_edit(user, proposal):
    """Authors edit while the proposal is a draft or returned to them for revision."""
    return proposal.state in State.EDITABLE and is_author(user, proposal)


def can_create(user):
    from core.roles import FACULTY, in_group

    return in_group(user, FACULTY)


def may_start_revision(user, proposal):
    """A published micro-credential is revised by its authors (lead author or co-authors) and by the
    office that publishes it (asked through the ``publish`` rule the review app registers)."""
    return is_author(user, proposal) or may("publish", proposal, user)
