from django.apps import AppConfig


class BadgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "badges"
    verbose_name = "Badges and awards"

    def ready(self):
        from proposals.extensions import register_published_task

        from . import services, tasks

        register_published_task(tasks.create_achievement.name)

        from proposals.extensions import register_detail_panel

        from .panels import impact_panel

        register_detail_panel(impact_panel)
        # Credly copies follow the Open Badges credential, in their own tasks once it has committed.
        services.register_issued_hook(tasks.issue_in_credly.name)
        services.register_revoked_hook(tasks.revoke_in_credly.name)

        from review.trends import register_trends

        from .trends import award_trends

        register_trends(award_trends)
