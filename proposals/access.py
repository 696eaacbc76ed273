"""Who may read and edit a proposal: one helper per question, used by every view.

The proposals app knows its authors; the review app knows reviewers, committees and the office. So
that this app never imports ``review``, the review app registers its reading rules here when it
starts (``review.apps``). A rule is a function ``user -> Q`` over ``Proposal``.
"""

from django.db.models import Q

from .policy import State

_reader_rules = []
_action_rules = {}


def register_reader_rule(rule):
    """Add a rule that grants reading to more people (e.g. reviewers of a unit). Idempotent."""
    if rule not in _reader_rules:
        _reader_rules.append(rule)
    return rule


def register_action_rule(verb, rule):
    """Say who may take a workflow action (``act_at_stage``, ``publish``): ``rule(proposal, user)``."""
    _action_rules[verb] = rule
    return rule


def may(verb, proposal, user):
    """Whether ``user`` may take the workflow action ``verb`` on ``proposal``. Nobody may act on a
    proposal they author, whatever else they are; an unregistered action is refused."""
    rule = _action_rules.get(verb)
    if rule is None or not user.is_authenticated or is_author(user, proposal):
        return False
    return rule(proposal, user)


def authored_q(user):
    return Q(lead_author=user) | Q(co_authors=user)


def readable_q(user):
    if not user.is_authenticated:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    q = authored_q(user)
    for rule in _reader_rules:
        q |= rule(user)
    return q


def readable_proposals(user):
    from .models import Proposal

    # Filtering through the co-authors join can repeat a row; the id subquery keeps it unique
    # without DISTINCT on the outer query (which would fight ordering and annotations).
    return Proposal.objects.filter(pk__in=Proposal.objects.filter(readable_q(user)).values("pk"))


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
    from .roles import FACULTY, in_group

    return in_group(user, FACULTY)
