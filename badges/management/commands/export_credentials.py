import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand
from django.db.models import F

from badges import selectors
from badges.issuing import documents
from badges.models import Achievement, Credential, StatusList


class Command(BaseCommand):
    help = (
        "Write the credential in force of every issued award (DIR/<award id>.json, .png, .svg) and every public document a "
        "verifier fetches (DIR/public/, mapped by DIR/public/map.json) so that anyone can verify the "
        "credentials offline."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory")

    def handle(self, *args, directory, **options):
        out = Path(directory)
        public = out / "public"
        public.mkdir(parents=True, exist_ok=True)
        mapping = {}

        def publish(url, text):
            parts = urlsplit(url)
            # A DID URL (did:web:host#key) has its name in the path and the fragment.
            place = "_".join(
                filter(None, [parts.scheme if parts.scheme == "did" else "", parts.path, parts.fragment])
            )
            name = (re.sub(r"[^A-Za-z0-9.-]+", "_", place).strip("_") or "index") + ".json"
            (public / name).write_text(text, encoding="utf-8")
            mapping[url] = name

        keys = selectors.published_keys()
        # The issuer under both its ids, whichever credentials name: the controller document and the
        # DID document, and each key under its URL and its DID URL (as a DID resolver dereferences it).
        publish(documents.https_issuer_id(), json.dumps(documents.controller_document(keys), indent=2))
        publish(documents.issuer_did(), json.dumps(documents.did_document(keys), indent=2))
        for key in keys:
            publish(key.url, json.dumps(documents.verification_method(key), indent=2))
            publish(key.did_url, json.dumps(documents.verification_method(key, did=True), indent=2))
        for status_list in StatusList.objects.exclude(credential_json=""):
            publish(status_list.url, status_list.credential_json)
            if status_list.did_credential_json:
                publish(status_list.did_url, status_list.did_credential_json)
        for achievement in Achievement.objects.all():
            publish(achievement.url, json.dumps(achievement.data, indent=2))
        count = 0
        # One file per award: the credential in force, never one it superseded (a re-issue).
        in_force = Credential.objects.filter(award__credential=F("pk")).select_related("award")
        for credential in in_force.iterator():
            stem = out / str(credential.award.public_id)
            stem.with_suffix(".json").write_text(credential.json, encoding="utf-8")
            stem.with_suffix(".png").write_bytes(bytes(credential.png))
            stem.with_suffix(".svg").write_text(credential.svg, encoding="utf-8")
            count += 1
        (public / "map.json").write_text(json.dumps(mapping, indent=2), encoding="utf-8")
        self.stdout.write(
            self.style.SUCCESS(f"Exported {count} credentials and {len(mapping)} public documents.")
        )
