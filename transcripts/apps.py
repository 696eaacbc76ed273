from django.apps import AppConfig


class TranscriptsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "transcripts"
    verbose_name = "Transcripts"

    def ready(self):
        from badges.services import register_award_note, register_issued_hook, register_revoked_hook

        from . import services, tasks

        register_issued_hook(tasks.record_award.name)
        register_revoked_hook(tasks.award_revoked.name)
        register_award_note(services.status_note)
