from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from badges.issuing import documents
from badges.issuing.services import revoke_issuer_key, signing_key
from badges.models import Award


class Command(BaseCommand):
    help = (
        "Mark an issuer key compromised. It signs nothing more; the credentials it signed show as not "
        "trustworthy on their public pages, and it leaves the controller document's assertionMethod so "
        "that independent verifiers reject them too. It stays published with its revocation date. "
        "The only key that can sign is revoked only together with --rotate, which makes a new key first."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="The key's name, as `rotate_issuer_key` and the admin show it.")
        parser.add_argument("--reason", required=True, help="Why: how the key was compromised.")
        parser.add_argument("--rotate", action="store_true", help="Make a new signing key first.")

    def handle(self, *args, name, reason, rotate, **options):
        try:
            key = revoke_issuer_key(name=name, reason=reason, rotate=rotate)
        except ValidationError as refused:
            raise CommandError(" ".join(refused.messages)) from refused
        current = signing_key()
        untrusted = Award.objects.filter(credential__key=key).exclude(state=Award.State.REVOKED).count()
        when = timezone.localtime(key.revoked_at)
        self.stdout.write(
            self.style.WARNING(
                f"Revoked issuer key {key.name} on {when:%Y-%m-%d %H:%M %Z}: {key.revoked_reason}"
            )
        )
        self.stdout.write(
            f"  {untrusted} award(s) whose credential it signed now show as not trustworthy on their public "
            "pages; independent verifiers reject them (the key is no longer an assertion method)."
        )
        self.stdout.write(
            f"Signing key now: {current.name} ({documents.key_id(current)}); the status list is signed by it."
        )
