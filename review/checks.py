"""System checks of the review app: every stage of the active profile's route has an active body
to review it (``manage.py check``, and at every start of ``runserver`` or ``migrate``).

A stage without one refuses every move into it (``services.workflow.StageWithoutBody``); this says
so before anyone is held up. The check reads the database: it says nothing when the database is
not there yet (not migrated, unreachable), and never creates one (an SQLite file)."""

from pathlib import Path

from django.core import checks
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

from proposals.policy import BodyKind, active_profile

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
