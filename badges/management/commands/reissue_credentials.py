import re

from django.core.management.base import BaseCommand, CommandError

from badges.awarding import reissue


class Command(BaseCommand):
    help = (
        "Re-issue the credentials signed before the canonical-form fix: credentials whose text holds a "
        "control character or DEL (pasted from a word processor, say) and whose signature therefore "
        "verifies nowhere. Each award gets a new signed credential and the earlier one is superseded, as "
        "when an expiry changes. Revoked awards are not re-issued. Safe to run again: a second run finds "
        "nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--affected",
            action="store_true",
            help="Re-issue every award whose credential in force was signed before the fix.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="List the awards it would re-issue, and change nothing."
        )

    def handle(self, *args, affected, dry_run, **options):
        if not affected:
            raise CommandError(
                "Say which credentials to re-issue: --affected (with --dry-run to list them first)."
            )
        found = reissue.affected()
        for award in reissue.affected_but_revoked():
            self.stdout.write(
                f"Not re-issued: award {award.public_id} ({_printable(award.achievement.name)}) was revoked; "
                "its credential stays revoked."
            )
        if not found:
            self.stdout.write(self.style.SUCCESS("No credential needs re-issuing."))
            return
        for award in found:
            name = f"{award.achievement.name}  {award.learner.get_full_name()}"
            self.stdout.write(f"{award.public_id}  {_printable(name)}")
        if dry_run:
            self.stdout.write(f"Would re-issue {_credentials(len(found))} (dry run: nothing changed).")
            return

        def progress(done, total):
            self.stdout.write(f"  {done} of {total} done")

        count = reissue.reissue([award.pk for award in found], progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Re-issued {_credentials(count)}; the earlier ones are superseded in the status list and "
                "each learner was told by email."
            )
        )


def _credentials(count):
    return f"{count} credential{'' if count == 1 else 's'}"


def _printable(text):
    """The text for a terminal: the control characters these credentials hold (an escape sequence
    among them) shown as \\uXXXX, never sent to the operator's terminal raw."""
    return re.sub("[\x00-\x1f\x7f-\x9f]", lambda found: f"\\u{ord(found.group()):04x}", text)
