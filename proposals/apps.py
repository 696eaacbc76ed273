from django.apps import AppConfig


class ProposalsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "proposals"
    verbose_name = "Proposals"

    def ready(self):
        from .policy import validate_profiles

        # An unknown profile, or one without a rule list, must stop the start-up, never let every
        # proposal through.
        validate_profiles()

        from core import hooks

        from .home import home_cards

        hooks.register(hooks.HOME_CARDS, home_cards, order=10)
