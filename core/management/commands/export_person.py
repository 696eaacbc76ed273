"""Everything the product holds about one person, as JSON: ``manage.py export_person <email or
login name> [--output file]`` (a data-access request; see docs/operations.md, Privacy)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core.privacy import export_json


class Command(BaseCommand):
    help = "Export everything held about one person (by email or login name) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("person", help="their email address or login name")
        parser.add_argument("--output", help="write to this file instead of the standard output")

    def handle(self, *args, person, output=None, **options):
        found = list(get_user_model().objects.filter(Q(email__iexact=person) | Q(username=person))[:2])
        if len(found) != 1:
            raise CommandError(f"{'No' if not found else 'More than one'} account matches {person!r}.")
        text = export_json(found[0])
        if output:
            with open(output, "w", encoding="utf-8") as out:
                out.write(text)
            self.stdout.write(f"Wrote everything held about account {found[0].pk} to {output}.")
        else:
            self.stdout.write(text)
