from django.core.management.base import BaseCommand

from badges.issuing import documents
from badges.issuing.services import create_issuer_key


class Command(BaseCommand):
    help = (
        "Create a new Ed25519 signing key for the institution. Its private part is written to "
        "ISSUER_KEY_DIR (encrypted with ISSUER_KEY_PASSPHRASE when set), its public part published in "
        "the issuer's controller document. The new key signs from now on; older keys stay published."
    )

    def handle(self, *args, **options):
        key = create_issuer_key()
        self.stdout.write(self.style.SUCCESS(f"Created issuer key {key.name}."))
        self.stdout.write(f"  public key (Multikey): {key.public_key_multibase}")
        self.stdout.write(f"  verification method:   {documents.key_id(key)}")
        self.stdout.write("Back up ISSUER_KEY_DIR now; keep the passphrase apart from the backup.")
