"""The one hook registry: how an app offers others what they show and do, without importing upward.

An app below (``proposals``) names a hook and asks for its implementations; an app above
(``review``, ``badges``) registers them in its ``AppConfig.ready``. Every hook is declared here,
with what an implementation receives and returns, so this module is the list of every seam
between the apps:

    from core import hooks

    hooks.register(hooks.PROPOSAL_PANELS, workflow_panel, order=10)   # in review/apps.py
    for panel in hooks.implementations(hooks.PROPOSAL_PANELS): ...    # in proposals

Implementations run in ``order`` (lower first; equal orders in the order they were registered),
so the page's layout never depends on which app Django happens to start first. Registering the
same implementation twice is one registration. A keyed hook (``key=``) holds one implementation
per key, the last registered winning (a setting or a test may replace one).
"""

from dataclasses import dataclass

# --- the hooks ------------------------------------------------------------------------------------

HOOKS = {}


def _hook(name, doc):
    HOOKS[name] = doc
    return name


PROPOSAL_PANELS = _hook(
    "proposal_panels",
    '``panel(request, proposal)`` returns ``{"template": ..., "where": "top" | "actions" | "aside", ...}``, '
    "a list of those, or None; an optional ``jumps`` lists ``{anchor, label, primary}`` links to the "
    "panel's actions. The proposal page renders them.",
)
STAGE_APPROVALS = _hook(
    "stage_approvals",
    "``reader(proposal)`` returns the stage approvals on record as (state, route keys, version number) rows; lets the "
    "proposal page say where a resubmission will go.",
)
REVIEWED_VERSION = _hook(
    "reviewed_version",
    "``reader(proposal, user)`` returns the number of the newest version this person reviewed, or None; "
    "lets the proposal page mark what changed since.",
)
UNITS_WITHOUT_COMMITTEE = _hook(
    "units_without_committee",
    "``reader(units)`` returns those of the units with no active curriculum committee at or above them, "
    "whom nobody could approve at unit review; lets the submission rules refuse such a sponsoring unit.",
)
PROPOSAL_PUBLISHED = _hook(
    "proposal_published",
    "The name of a Celery task handed the id of every proposal that is published.",
)
PROPOSAL_READERS = _hook(
    "proposal_readers",
    "``rule(user)`` returns a ``Q`` over ``Proposal`` granting reading to more people; never through a "
    "to-many join (``pk__in`` a subquery instead), so that no row repeats.",
)
PROPOSAL_ACTIONS = _hook(
    "proposal_actions",
    "Keyed by a workflow verb (``act_at_stage``, ``publish``): ``rule(proposal, user)`` says who may take it.",
)
AWARD_ISSUED = _hook(
    "award_issued",
    "The name of a Celery task handed the id of every award once it is issued.",
)
AWARD_REVOKED = _hook(
    "award_revoked",
    "The name of a Celery task handed the id of every award once it is revoked.",
)
AWARD_NOTES = _hook(
    "award_notes",
    "``note(award)`` returns a line for the award's page (e.g. where its transcript record stands) or None.",
)
TRENDS = _hook(
    "trends",
    "``builder(period)`` returns a list of ``review.trends.Trend``: the app's charts on the office dashboard.",
)
HOME_CARDS = _hook(
    "home_cards",
    "``cards(home)`` returns the app's cards for a person's home page, each with its section "
    '(``"waiting"`` or ``"glance"``) and its place in it; ``home`` carries the user and their roles.',
)
PERSON_ERASED = _hook(
    "person_erased",
    "``eraser(user, by)`` runs inside a person's erasure (``core.privacy.erase_person``), before their "
    "account is anonymised: each app removes or anonymises the personal data it holds and keeps what it "
    "must (``badges`` revokes their awards, keeping the signed credentials verifiable as revoked).",
)
PERSON_SIGNED_IN = _hook(
    "person_signed_in",
    "``receiver(user, person)`` runs after a person signs in through the institution and their account "
    "has been brought up to date; ``person`` is a ``core.people.Person`` (names, affiliation, student ID, "
    "unit, entitlements). ``badges`` makes a student a learner with their student ID.",
)


# --- the registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Entry:
    implementation: object
    order: int
    seq: int
    key: object = None


_registry = {name: [] for name in HOOKS}


def register(hook, implementation=None, *, order=100, key=None):
    """Register ``implementation`` for ``hook``; usable as a decorator (``@register(hook, order=…)``)."""
    if implementation is None:
        return lambda fn: register(hook, fn, order=order, key=key)
    if hook not in _registry:
        raise LookupError(f"No hook named {hook!r}; the hooks are declared in core.hooks.")
    entries = _registry[hook]
    if key is not None:
        entries[:] = [e for e in entries if e.key != key]
    elif any(e.implementation == implementation for e in entries):
        return implementation
    seq = max((e.seq for e in entries), default=0) + 1
    entries.append(_Entry(implementation, order, seq, key))
    entries.sort(key=lambda e: (e.order, e.seq))
    return implementation


def implementations(hook):
    """The implementations of ``hook`` in order."""
    return [e.implementation for e in _registry[hook]]


def keyed(hook, key):
    """The implementation registered for ``key`` on a keyed hook, or None."""
    return next((e.implementation for e in _registry[hook] if e.key == key), None)
