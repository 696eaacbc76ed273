from django.apps import AppConfig


class BadgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "badges"
    verbose_name = "Badges and awards"

    def ready(self):
        from core import hooks

        from . import checks, tasks  # noqa: F401 - checks registers the system checks
        from .erasure import erase_learner
        from .home import home_cards
        from .learning.accounts import enrol_signed_in_student
        from .panels import impact_panel
        from .trends import award_trends

        hooks.register(hooks.PROPOSAL_PUBLISHED, tasks.create_achievement.name)
        hooks.register(hooks.PROPOSAL_PANELS, impact_panel, order=30)
        # Credly copies follow the Open Badges credential, in their own tasks once it has committed.
        hooks.register(hooks.AWARD_ISSUED, tasks.issue_in_credly.name, order=10)
        hooks.register(hooks.AWARD_REVOKED, tasks.revoke_in_credly.name, order=10)
        hooks.register(hooks.TRENDS, award_trends, order=20)
        hooks.register(hooks.HOME_CARDS, home_cards, order=30)
        hooks.register(hooks.PERSON_SIGNED_IN, enrol_signed_in_student)
        hooks.register(hooks.PERSON_ERASED, erase_learner)
