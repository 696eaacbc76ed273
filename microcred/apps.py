from django.apps import AppConfig


class MicrocredConfig(AppConfig):
    name = "microcred"
    verbose_name = "Micro-credentials (project)"

    def ready(self):
        from core import hooks

        from .home import admin_cards

        hooks.register(hooks.HOME_CARDS, admin_cards, order=90)
