from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Ground floor"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from . import checks  # noqa: F401 - registers the deployment checks
        from .middleware import stamp_session

        # Django's own hook for "a session has started": the session lifetime is counted from it.
        user_logged_in.connect(stamp_session, dispatch_uid="microcred-stamp-session")
