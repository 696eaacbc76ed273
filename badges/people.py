"""A learner's name as their credentials and the pages about them show it: the name they chose for
their credentials, or else their given and family names; never their login name.

Read with the learner's row (``select_related("learner")`` on the user, or
``"learner__learner"`` from an award), so that naming costs no query of its own."""

from django.core.exceptions import ObjectDoesNotExist

from core.people import full_name


def learner_row(user):
    try:
        return user.learner
    except ObjectDoesNotExist:
        return None


def learner_name(user):
    """The name to show for ``user`` as a learner."""
    row = learner_row(user)
    chosen = row.credential_name.strip() if row is not None else ""
    return chosen or full_name(user)


def name_on_credential(user):
    """The name a new credential of ``user`` carries, or None when they chose to be identified by
    the hash of their email alone (or have no name on file)."""
    row = learner_row(user)
    if row is not None and not row.name_on_credentials:
        return None
    row_name = row.credential_name.strip() if row is not None else ""
    return row_name or user.get_full_name().strip() or None


def download_name(award, extension):
    """The file name of an award's download: the micro-credential and its holder, so that a second
    badge never overwrites the first in a downloads folder (``data-storytelling-maya-okafor.png``)."""
    from django.utils.text import slugify

    parts = [slugify(award.achievement.name)[:60], slugify(learner_name(award.learner))[:40]]
    return "-".join(part for part in parts if part) + f".{extension}" if any(parts) else f"badge.{extension}"
