from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Review and approval"

    def ready(self):
        from proposals.access import register_action_rule, register_reader_rule

        from . import membership_log  # noqa: F401  (its signals record membership changes)
        from .access import reviewer_reading_rule
        from .roles import may_act_at_stage, may_publish

        register_reader_rule(reviewer_reading_rule)
        register_action_rule("act_at_stage", may_act_at_stage)
        register_action_rule("publish", may_publish)

        from proposals.extensions import (
            register_approvals_reader,
            register_detail_panel,
            register_reviewed_version_reader,
        )

        from .panels import history_panel, workflow_panel
        from .selectors import last_reviewed_version, stage_approvals

        register_detail_panel(workflow_panel)
        register_detail_panel(history_panel)
        register_approvals_reader(stage_approvals)
        register_reviewed_version_reader(last_reviewed_version)

        from .trends import pipeline_trends, register_trends

        register_trends(pipeline_trends)
