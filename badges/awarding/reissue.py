"""Re-issuing the credentials signed before the canonical form was corrected.

Until the RDFC-1.0 escaping fix (``issuing.nquads``), a control character or DEL in a credential's
text (a narrative pasted from a word processor, say) was written raw in the canonical N-Quads the
signature is taken over. Those credentials verify nowhere now: other verifiers always computed the
correct form, and ours does too. ``python manage.py reissue_credentials --affected`` finds them and
re-issues each award as an expiry change does (``issuing.reissue.reissue_signed_before_the_fix``): a new
credential in force, the earlier one superseded in the status list. A transaction per award, with
the award row locked; a second run finds nothing.
"""

import json
import uuid

from django.db import transaction

from ..issuing import nquads, services
from ..issuing import reissue as issuing_reissue
from ..models import Award, Credential

BATCH = 200  # awards read at a time while looking; each re-issue is its own transaction


def _candidates(state):
    """Awards in ``state`` whose credential in force holds text written differently before the fix
    (the cheap test of the text; the signature is checked later, on these only)."""
    awards = (
        Award.objects.filter(state=state, credential__isnull=False)
        .select_related("credential__key", "achievement", "learner")
        .defer("credential__png", "credential__svg", "achievement__image_png", "achievement__image_svg")
        .order_by("pk")
    )
    for award in awards.iterator(chunk_size=BATCH):
        if nquads.written_differently_before_the_fix(json.loads(award.credential.json)):
            yield award


def affected():
    """The issued awards whose credential in force no longer verifies because it was signed before
    the fix, in the order of their ids."""
    return [a for a in _candidates(Award.State.ISSUED) if issuing_reissue.signed_before_the_fix(a.credential)]


def affected_but_revoked():
    """Revoked awards whose last credential was signed before the fix: they are never re-issued."""
    return [
        a for a in _candidates(Award.State.REVOKED) if issuing_reissue.signed_before_the_fix(a.credential)
    ]


def reissue(award_ids, *, progress=None):
    """Re-issue each award (its own transaction, the row locked, skipped when another run did it
    first) and publish the status list with its earlier credential superseded in that transaction.
    ``progress(done, total)`` is told after each batch. Returns how many it re-issued."""
    done = reissued = 0
    for start in range(0, len(award_ids), BATCH):
        for award_id in award_ids[start : start + BATCH]:
            with transaction.atomic():
                if issuing_reissue.reissue_signed_before_the_fix(award_id=award_id):
                    services.publish_status_list()
                    reissued += 1
            done += 1
        if progress is not None:
            progress(done, len(award_ids))
    return reissued


def stored_credential_signed_before_the_fix(document):
    """The stored credential of ours that ``document`` is, exactly, when it was signed before the
    fix; None otherwise. Lets the verify page tell a genuine old credential from a changed one."""
    identifier = document.get("id") if isinstance(document, dict) else None
    if not isinstance(identifier, str) or not identifier.startswith("urn:uuid:"):
        return None
    try:
        credential_uuid = uuid.UUID(identifier.removeprefix("urn:uuid:"))
    except ValueError:
        return None
    rows = Credential.objects.select_related("key").filter(award__credential_uuid=credential_uuid)
    for row in rows.order_by("pk"):
        if json.loads(row.json) == document:
            return row if issuing_reissue.signed_before_the_fix(row) else None
    return None
