"""Erase a person at their request: ``manage.py erase_person <email or login name> --by <an
administrator's login name> --yes`` (see docs/operations.md, Privacy). Export their data first if
they asked for it too (``export_person``)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from core.privacy import erase_person


class Command(BaseCommand):
    help = "Erase one person at their request: revoke their awards, delete their personal data."

    def add_arguments(self, parser):
        parser.add_argument("person", help="their email address or login name")
        parser.add_argument("--by", required=True, help="the login name of the administrator who erases")
        parser.add_argument("--yes", action="store_true", help="confirm: this cannot be undone")

    def handle(self, *args, person, by, yes=False, **options):
        users = get_user_model().objects
        found = list(users.filter(Q(email__iexact=person) | Q(username=person))[:2])
        if len(found) != 1:
            raise CommandError(f"{'No' if not found else 'More than one'} account matches {person!r}.")
        administrator = users.filter(username=by).first()
        if not yes:
            raise CommandError("Erasing cannot be undone: add --yes to confirm.")
        try:
            erased = erase_person(user=found[0], by=administrator)
        except (PermissionDenied, ValidationError) as refused:
            raise CommandError(" ".join(getattr(refused, "messages", [str(refused)]))) from None
        self.stdout.write(f"Erased account {erased.pk}: its awards are revoked and its personal data gone.")
