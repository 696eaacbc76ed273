from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Review and approval"

    def ready(self):
        from core import hooks

        # Its system checks; the signals that record membership changes.
        from . import checks, membership_log  # noqa: F401
        from .erasure import erase_reviewer
        from .home import home_cards
        from .panels import history_panel, workflow_panel
        from .permissions import (
            may_act_at_stage,
            may_move_to_profile,
            may_publish,
            reviewer_reading_rule,
            units_without_committee,
        )
        from .selectors import last_reviewed_version, stage_approvals
        from .trends import pipeline_trends

        hooks.register(hooks.PERSON_ERASED, erase_reviewer)
        hooks.register(hooks.PROPOSAL_READERS, reviewer_reading_rule)
        hooks.register(hooks.PROPOSAL_ACTIONS, may_act_at_stage, key="act_at_stage")
        hooks.register(hooks.PROPOSAL_ACTIONS, may_publish, key="publish")
        hooks.register(hooks.PROPOSAL_ACTIONS, may_move_to_profile, key="move_to_profile")
        # The proposal page: the workflow first, then its history; the badges app's panel follows.
        hooks.register(hooks.PROPOSAL_PANELS, workflow_panel, order=10)
        hooks.register(hooks.PROPOSAL_PANELS, history_panel, order=20)
        hooks.register(hooks.STAGE_APPROVALS, stage_approvals)
        hooks.register(hooks.REVIEWED_VERSION, last_reviewed_version)
        hooks.register(hooks.UNITS_WITHOUT_COMMITTEE, units_without_committee)
        hooks.register(hooks.TRENDS, pipeline_trends, order=10)
        hooks.register(hooks.HOME_CARDS, home_cards, order=20)
