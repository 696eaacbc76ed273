from django.apps import AppConfig


class BadgesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "badges"
    verbose_name = "Badges and awards"

    def ready(self):
        from proposals.extensions import register_published_task

        from . import tasks

        register_published_task(tasks.create_achievement.name)
