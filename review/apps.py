from django.apps import AppConfig


class ReviewConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "review"
    verbose_name = "Review and approval"

    def ready(self):
        from proposals.access import register_reader_rule

        from .access import reviewer_reading_rule

        register_reader_rule(reviewer_reading_rule)
