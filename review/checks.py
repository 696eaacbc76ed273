"""System checks of the review app.

- ``review.W001``: every stage of the active profile's route has an active body to review it
  (``manage.py check``, and at every start of ``runserver`` or ``migrate``). A stage without one
  refuses every move into it (``services.stages.StageWithoutBody``); this says so before anyone is
  held up.
- ``proposals.W001``: what a change of policy profile leaves in flight. A proposal keeps the profile
  it was submitted under (``Proposal.profile``) until it is published or ends; after
  ``MICROCRED_POLICY`` changes, the proposals still in flight under the earlier profile continue on
  its route, reviewed by its bodies. ``manage.py migrate`` (run at every deploy and by ``make run``)
  and ``manage.py check --database default`` say how many and where they are.

Both read the database: they say nothing when it is not there yet (not migrated, unreachable), and
never create one (an SQLite file).
"""

from collections import Counter
from pathlib import Path

from django.core import checks
from django.core.checks import Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from proposals.policy import PROFILES, BodyKind, State, active_profile

from .models import ReviewBody


def _readable(alias):
    """Whether the database holds the review tables, asked without creating anything."""
    connection = connections[alias]
    # Connecting to an SQLite file that is not there would create it.
    sqlite_file = connection.vendor == "sqlite" and not connection.is_in_memory_db()
    if sqlite_file and not Path(connection.settings_dict["NAME"]).exists():
        return False
    try:
        return ReviewBody._meta.db_table in connection.introspection.table_names()
    except DatabaseError:
        return False


@checks.register(checks.Tags.database)
def stages_have_bodies(app_configs=None, databases=None, **kwargs):
    """review.W001: a stage of the active profile whose kind of body has no active body (for unit
    review: no active unit curriculum committee at all). Run by a plain ``manage.py check`` too,
    not only with ``--database`` as Django's own database checks are: an operator who has just
    deactivated a body should hear of it without knowing the option."""
    alias = DEFAULT_DB_ALIAS
    if (databases is not None and alias not in databases) or not _readable(alias):
        return []
    profile = active_profile()
    try:
        active = set(
            ReviewBody.objects.using(alias)
            .for_profile(profile.key)
            .filter(is_active=True)
            .values_list("kind", flat=True)
            .distinct()
        )
    except DatabaseError:
        return []
    warnings = []
    for stage in profile.stages:
        if stage.body_kind in active:
            continue
        if stage.body_kind == BodyKind.UNIT_COMMITTEE:
            what = "no unit has an active curriculum committee"
            hint = (
                "In the admin's Review bodies, add a unit curriculum committee for the units that "
                "propose micro-credentials (or for a unit above them), or reactivate one."
            )
        else:
            label = profile.body_label(stage.body_kind)
            what = f"{label} has no active review body"
            hint = f"In the admin's Review bodies, add a body of kind “{label}”, or reactivate it."
        warnings.append(
            checks.Warning(
                f"{stage.label} of the {profile.name} profile cannot review anything: {what}. Every move "
                "into it is refused until one is set up.",
                hint=hint,
                obj=stage.state,
                id="review.W001",
            )
        )
    return warnings


# Submitted and not yet published or ended: still moving on some profile's route.
IN_FLIGHT = (*State.REVIEW_STAGES, State.RETURNED, State.APPROVED)


def in_flight_elsewhere():
    """{(profile key, state): number} of the proposals in flight under a profile other than the
    active one. One query."""
    from proposals.models import Proposal

    rows = (
        Proposal.objects.filter(state__in=IN_FLIGHT)
        .exclude(profile__in=["", active_profile().key])
        .values_list("profile", "state")
    )
    return Counter(rows)


def _where(state, number):
    if state == State.APPROVED:
        return f"{number} approved and not yet published"
    if state == State.RETURNED:
        return f"{number} returned to {'its' if number == 1 else 'their'} authors"
    return f"{number} at {State.label(state)}"


def describe_in_flight(counts):
    """One sentence per earlier profile: how many, where, and what becomes of them."""
    active = active_profile()
    by_profile = {}
    for (key, state), number in counts.items():
        by_profile.setdefault(key, []).append((state, number))
    messages = []
    for key, states in sorted(by_profile.items()):
        profile = PROFILES.get(key)
        name = profile.name if profile is not None else key
        total = sum(n for _state, n in states)
        order = [state for state, _label in State.choices]
        states.sort(key=lambda row: order.index(row[0]))
        where = ", ".join(_where(state, n) for state, n in states)
        are = "proposal is" if total == 1 else "proposals are"
        if profile is None:
            messages.append(
                f"{total} {are} in flight under the policy profile {key!r}, which this product no longer "
                f"knows ({where}): nobody can act on them until the office moves each to {active.name}."
            )
            continue
        messages.append(
            f"{total} {are} in review under the {name} profile while MICROCRED_POLICY is {active.key} "
            f"({where}): they continue on {name}'s route, reviewed by {name}'s bodies, and are published as "
            f"{name} approved them; one returned to its authors starts {active.name}'s route when resubmitted. "
            f"{active.office_name} may move one to {active.name} with a recorded decision (“Move to the "
            f"{active.name} profile” on its page): it then starts that route, and no approval given under "
            f"{name} counts."
        )
    return messages


@register(Tags.database)
def profile_switch_in_flight(app_configs, databases=None, **kwargs):
    """proposals.W001: proposals in flight under another profile than the active one. A database
    check (run by ``migrate`` and ``check --database``); silent without a migrated database."""
    if not databases:
        return []
    try:
        counts = in_flight_elsewhere()
    except DatabaseError:  # no database yet, or not migrated: nothing can be in flight
        return []
    return [
        Warning(
            message,
            hint="See docs/policy-profiles.md, “Changing the profile of a site in use”.",
            id="proposals.W001",
        )
        for message in describe_in_flight(counts)
    ]
