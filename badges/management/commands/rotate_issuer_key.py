from django.core.management.base import BaseCommand

from badges.issuing import documents
from badges.issuing.services import KEY_CACHE_SECONDS, rotate_issuer_key


class Command(BaseCommand):
    help = (
        "Rotate the institution's signing key: make a new Ed25519 key, which signs every new credential "
        "and the status list from now on, and retire the keys that signed until now. Retired keys stay "
        "published, so every credential they signed keeps verifying."
    )

    def handle(self, *args, **options):
        key, retired = rotate_issuer_key()
        self.stdout.write(self.style.SUCCESS(f"Created issuer key {key.name}; it signs from now on."))
        self.stdout.write(f"  verification method:   {documents.key_id(key)}")
        self.stdout.write(f"  public key (Multikey): {key.public_key_multibase}")
        self.stdout.write("  the revocation status list is signed anew by it.")
        for old in retired:
            self.stdout.write(
                f"Retired {old.name} (made {old.created_at:%Y-%m-%d}): it signs nothing new, and stays "
                "published so that every credential it signed keeps verifying."
            )
        if not retired:
            self.stdout.write("There was no key to retire.")
        self.stdout.write(
            f"Running web and worker processes switch to the new key within {KEY_CACHE_SECONDS} seconds."
        )
        self.stdout.write("Back up ISSUER_KEY_DIR now; keep the passphrase apart from the backup.")
