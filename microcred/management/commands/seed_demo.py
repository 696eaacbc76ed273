from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from microcred.demo import DEMO_PASSWORD, seed_demo
from proposals.policy import active_profile


class Command(BaseCommand):
    help = (
        "Create demo units, review bodies, one user per role and proposals across the pipeline for the "
        "active policy profile, app by app."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even with DEBUG off. Demo users share a published password: never on a real site.",
        )

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates users with a published password and refuses to run with DEBUG off. "
                "Pass --force if this really is a demonstration site."
            )
        logins = seed_demo()
        profile = active_profile()
        self.stdout.write(self.style.SUCCESS(f"Demo data ready for the {profile.institution} profile."))
        self.stdout.write(f"Every demo login uses the password: {DEMO_PASSWORD}\n")
        width = max(len(login.username) for login in logins)
        for login in logins:
            self.stdout.write(f"  {login.username.ljust(width)}  {login.role}")
