from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transcripts"
    verbose_name = "Transcripts"

    def ready(self):
        from core import hooks

        from . import services, tasks
        from .home import home_cards

        hooks.register(hooks.AWARD_ISSUED, tasks.record_award.name, order=20)
        hooks.register(hooks.AWARD_REVOKED, tasks.award_revoked.name, order=20)
        hooks.register(hooks.AWARD_NOTES, services.status_note)
        hooks.register(hooks.HOME_CARDS, home_cards, order=40)
