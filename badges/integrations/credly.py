"""Credly: where the institution uses it, each award of an achievement with a Credly badge template
id is also issued through Credly's API, and revoked there when it is revoked here.

The Open Badges credential never waits for Credly nor depends on it: the tasks below run after the
award's issue (or revocation) has committed (``apps.py`` registers them as the awards' hooks), and a
failure is written on the award's ``CredlyBadge`` row for staff to see and retry.

The client makes one HTTP call per attempt and says what the answer means: a success, a refusal
worth retrying later (429, 5xx, timeouts, an unreachable server) or a permanent refusal (another 4xx,
with Credly's message). The tasks decide when to try again (``retry_delay``).
"""

import base64
import http.client
import json
import logging
import math
import random
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib import error as urlerror
from urllib import request as urlrequest
from urllib.parse import quote, urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core.queue import enqueue

from ..models import Award, CredlyBadge
from ..permissions import may_retry_in_credly

logger = logging.getLogger(__name__)

# Retries: 30 s, 60 s, 120 s … doubling up to half an hour, six times (about an hour in all).
RETRY_BASE_SECONDS = 30
RETRY_MAX_SECONDS = 30 * 60
MAX_RETRIES = 6
RETRYABLE_STATUSES = {408, 429}  # and every 5xx

ISSUE_TASK = "badges.tasks.issue_in_credly"
REVOKE_TASK = "badges.tasks.revoke_in_credly"


# --- the client -----------------------------------------------------------------------------------


class CredlyError(Exception):
    """One call to Credly that did not succeed. ``retryable``: worth trying again later;
    ``retry_after``: the seconds Credly asked us to wait (a 429's ``Retry-After``), or None."""

    def __init__(self, message, *, retryable, status=None, retry_after=None):
        super().__init__(message)
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


def configured():
    """Credly is used only when both the organisation id and the API token are set."""
    return bool(settings.CREDLY_ORGANIZATION_ID and settings.CREDLY_API_TOKEN)


def _url(path):
    base = settings.CREDLY_BASE_URL.rstrip("/")
    if urlsplit(base).scheme not in ("http", "https"):
        raise CredlyError(f"CREDLY_BASE_URL must be an http(s) address, not {base!r}.", retryable=False)
    return f"{base}/v1/organizations/{quote(settings.CREDLY_ORGANIZATION_ID, safe='')}/{path}"


def _authorization():
    # HTTP Basic: the organisation's API token as the user name, with an empty password.
    return "Basic " + base64.b64encode(f"{settings.CREDLY_API_TOKEN}:".encode()).decode("ascii")


def _call(method, path, body):
    """One HTTP call; Credly's parsed JSON answer, or CredlyError saying whether to try again."""
    call = urlrequest.Request(  # noqa: S310 - the scheme is checked in _url
        _url(path),
        data=json.dumps(body).encode(),
        method=method,
        headers={
            "Authorization": _authorization(),
            "Content-Type": "application/json",
            "Accept": "application/json",
        },
    )
    try:
        with urlrequest.urlopen(call, timeout=settings.CREDLY_TIMEOUT_SECONDS) as answer:  # noqa: S310
            return _parse(answer.read())
    except urlerror.HTTPError as refusal:
        raise _refusal(refusal) from None
    except (urlerror.URLError, http.client.HTTPException, OSError) as failure:  # timeouts are OSErrors
        reason = getattr(failure, "reason", None) or failure
        raise CredlyError(f"Credly could not be reached: {reason}", retryable=True) from failure


def _parse(raw):
    try:
        return json.loads(raw or b"{}")
    except ValueError:
        return {}


def _refusal(answer):
    status = answer.code
    text = answer.read().decode("utf-8", "replace")
    retryable = status in RETRYABLE_STATUSES or status >= 500
    return CredlyError(
        f"Credly answered {status}: {_message(_parse(text.encode()), text) or answer.reason}",
        retryable=retryable,
        status=status,
        retry_after=_retry_after(answer.headers.get("Retry-After")) if retryable else None,
    )


def _message(document, text):
    """Credly's own words from an error answer: ``data.message`` and ``data.errors``, as far as
    they are given; else the start of the body."""
    data = document.get("data") if isinstance(document, dict) else None
    data = data if isinstance(data, dict) else document if isinstance(document, dict) else {}
    parts = [str(data["message"])] if data.get("message") else []
    errors = data.get("errors") or []
    if isinstance(errors, dict):  # {"attribute": ["message", …]}
        errors = [{"attribute": key, "messages": value} for key, value in errors.items()]
    for item in errors if isinstance(errors, list) else [errors]:
        if isinstance(item, dict):
            said = item.get("messages") or item.get("message") or ""
            said = "; ".join(map(str, said)) if isinstance(said, list) else str(said)
            parts.append(f"{item['attribute']}: {said}" if item.get("attribute") else said)
        else:
            parts.append(str(item))
    return " – ".join(p for p in parts if p) or text.strip()[:300]


def _retry_after(value):
    """Seconds from a ``Retry-After`` header: a number of seconds or an HTTP date."""
    value = (value or "").strip()
    if not value:
        return None
    if value.isdigit():
        return int(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0, math.ceil((when - datetime.now(UTC)).total_seconds()))


def issue_badge(*, recipient_email, first_name, last_name, template_id, issued_at, earner_id):
    """Issue one badge in Credly; returns its Credly id."""
    answer = _call(
        "POST",
        "badges",
        {
            "recipient_email": recipient_email,
            "issued_to_first_name": first_name,
            "issued_to_last_name": last_name,
            "badge_template_id": template_id,
            "issued_at": issued_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S %z"),
            # Our award's public id: a badge issued by an attempt whose answer was lost is recognisable.
            "issuer_earner_id": earner_id,
        },
    )
    badge_id = (answer.get("data") or {}).get("id") if isinstance(answer, dict) else None
    if not badge_id:
        raise CredlyError("Credly accepted the badge but its answer had no badge id.", retryable=False)
    return str(badge_id)


def revoke_badge(*, badge_id, reason):
    """Revoke one badge in Credly; its holder is told by Credly."""
    _call(
        "PUT",
        f"badges/{quote(badge_id, safe='')}/revoke",
        {"reason": reason, "suppress_revoke_notification_email": False},
    )


def retry_delay(retries, retry_after=None):
    """Seconds to wait before the next attempt, after ``retries`` retries so far: 30 s, 60 s, 120 s …
    doubling up to half an hour, plus up to a quarter more at random (awards that failed together
    do not all come back together), and never sooner than Credly's ``Retry-After``."""
    delay = min(RETRY_MAX_SECONDS, RETRY_BASE_SECONDS * 2**retries)
    delay += random.uniform(0, delay / 4)
    return math.ceil(max(delay, retry_after or 0))


# --- services -------------------------------------------------------------------------------------


def recipient_names(user):
    """First and last name for Credly, which asks for both: the account's names; without any, the
    words of the email's local part (``ana.lopez@…`` → Ana, Lopez); a single name stands for both."""
    first, last = user.first_name.strip(), user.last_name.strip()
    if not (first or last):
        source = user.email.split("@")[0] or user.username
        words = [w.capitalize() for w in re.split(r"[._\-+\s]+", source) if w] or [user.username]
        first, last = words[0], " ".join(words[1:])
    return first or last, last or first


def _attempt(badge, call, *, done, in_flight):
    """Make one call for a locked row and write down how it went: ``done`` (field values) on
    success; on a refusal the error, with the row FAILED when the refusal is permanent. Returns the
    CredlyError, or None."""
    try:
        changes = call()
    except CredlyError as refusal:
        state = in_flight if refusal.retryable else CredlyBadge.State.FAILED
        CredlyBadge.objects.filter(pk=badge.pk).update(
            state=state, attempts=F("attempts") + 1, last_error=str(refusal)[:2000]
        )
        return refusal
    CredlyBadge.objects.filter(pk=badge.pk).update(
        **done, **(changes or {}), attempts=F("attempts") + 1, last_error=""
    )
    return None


def _outcome(badge, refusal):
    """After the transaction of an attempt: raise its refusal (now written down), else the row."""
    if refusal is not None:
        raise refusal
    badge.refresh_from_db()
    return badge


def issue(*, award_id):
    """Issue an award through Credly, when Credly is configured and the award's achievement has a
    Credly badge template id. Guarantees: one Credly badge per award (the database allows one row
    per award; the row is locked during the call, so a second delivery waits and then finds it
    issued); an award revoked meanwhile is not issued there. A refusal is written on the row (FAILED
    when permanent) and raised as CredlyError for the task to retry. Returns the row, or None when
    there is nothing to do in Credly."""
    if not configured():
        return None
    template_id = (
        Award.objects.filter(pk=award_id, state=Award.State.ISSUED)
        .values_list("achievement__credly_template_id", flat=True)
        .first()
    )
    if not template_id:
        return None
    CredlyBadge.objects.get_or_create(award_id=award_id)
    with transaction.atomic():
        badge = CredlyBadge.objects.select_for_update().get(award_id=award_id)
        # Read under the lock: a revocation that committed before the row existed is seen here.
        award = Award.objects.select_related("learner").get(pk=award_id)
        if badge.state != CredlyBadge.State.PENDING or award.state != Award.State.ISSUED:
            return badge  # issued already, failed (staff retry it), or revoked
        first, last = recipient_names(award.learner)
        refusal = _attempt(
            badge,
            lambda: {
                "badge_id": issue_badge(
                    recipient_email=award.learner.email,
                    first_name=first,
                    last_name=last,
                    template_id=template_id,
                    issued_at=award.issued_at,
                    earner_id=str(award.public_id),
                )
            },
            done={"state": CredlyBadge.State.ISSUED},
            in_flight=CredlyBadge.State.PENDING,
        )
    return _outcome(badge, refusal)


def revoke(*, award_id):
    """Revoke in Credly the badge of a revoked award, where one was issued there; an award not (yet)
    issued in Credly is marked revoked there and is then never issued. Revoking twice calls Credly
    once. A refusal is written on the row and raised as CredlyError, as for ``issue``."""
    if not configured():
        return None
    with transaction.atomic():
        badge = CredlyBadge.objects.select_for_update().filter(award_id=award_id).first()
        if badge is None:
            return None
        award = Award.objects.get(pk=award_id)
        if award.state != Award.State.REVOKED or badge.state == CredlyBadge.State.REVOKED:
            return badge
        if not badge.badge_id:  # never issued there (or its issue failed): nothing left to do
            CredlyBadge.objects.filter(pk=badge.pk).update(state=CredlyBadge.State.REVOKED, last_error="")
            badge.refresh_from_db()
            return badge
        if badge.state == CredlyBadge.State.FAILED:  # a failed revocation waits for staff to retry it
            return badge
        refusal = _attempt(
            badge,
            lambda: revoke_badge(badge_id=badge.badge_id, reason=award.revoked_reason or "Revoked."),
            done={"state": CredlyBadge.State.REVOKED},
            in_flight=CredlyBadge.State.REVOKING,
        )
    return _outcome(badge, refusal)


def record_failure(*, award_id, error):
    """The retries are spent: the row is FAILED with the last error, for staff to see and retry."""
    CredlyBadge.objects.filter(award_id=award_id).exclude(
        state__in=[CredlyBadge.State.ISSUED, CredlyBadge.State.REVOKED]
    ).update(state=CredlyBadge.State.FAILED, last_error=str(error)[:2000] or repr(error))
    logger.warning("Credly gave up on award %s: %s", award_id, error)


def shown_to(award, user):
    """The award's Credly row for the award page, for those who may retry it; else None."""
    if not may_retry_in_credly(user, award):
        return None
    return CredlyBadge.objects.filter(award=award).first()


def failures():
    """Credly badges that failed for good, newest first, with their award, learner and achievement."""
    return (
        CredlyBadge.objects.filter(state=CredlyBadge.State.FAILED)
        .select_related("award", "award__learner", "award__achievement")
        .order_by("-updated_at", "-pk")
    )


def retry(*, award, user):
    """Staff try a failed Credly badge again: issued again, or revoked again when the award has been
    revoked since. The row is pending (or revoking) until the task has had Credly's answer; the task
    is queued once this commits. Returns the row."""
    if not may_retry_in_credly(user, award):
        raise PermissionDenied("Only the awarding office's staff retry Credly badges.")
    if not configured():
        raise ValidationError("Credly is not configured: set CREDLY_ORGANIZATION_ID and CREDLY_API_TOKEN.")
    with transaction.atomic():
        badge = CredlyBadge.objects.select_for_update().filter(award=award).first()
        if badge is None or badge.state != CredlyBadge.State.FAILED:
            raise ValidationError("Only a failed Credly badge can be retried.")
        state = Award.objects.values_list("state", flat=True).get(pk=award.pk)
        if state == Award.State.REVOKED and badge.badge_id:
            again, task_name = CredlyBadge.State.REVOKING, REVOKE_TASK
        elif state == Award.State.ISSUED and not badge.badge_id:
            again, task_name = CredlyBadge.State.PENDING, ISSUE_TASK
        else:
            raise ValidationError("There is nothing to retry in Credly for this award.")
        CredlyBadge.objects.filter(pk=badge.pk).update(state=again)
        transaction.on_commit(lambda: _enqueue(task_name, award.pk))
    badge.refresh_from_db()
    return badge


def _enqueue(task_name, award_id):
    # A staff retry whose task cannot be queued (broker down) shows as failed again, for them to
    # retry later; the outbox sweep leaves failed rows to staff.
    if not enqueue(task_name, award_id):
        record_failure(award_id=award_id, error="Could not be queued: the task queue was unreachable.")


# --- the outbox: Credly work whose task never ran (broker down, worker killed) -------------------------


def unissued(older_than_seconds):
    """Issued awards (``older_than_seconds`` ago or more) of achievements with a Credly template whose
    Credly copy never started: no row yet, or a row never attempted. Nothing when Credly is not used."""
    if not configured():
        return Award.objects.none().values_list("pk", flat=True)
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return (
        Award.objects.filter(state=Award.State.ISSUED, issued_at__lt=cutoff)
        .exclude(achievement__credly_template_id="")
        .filter(Q(credly__isnull=True) | Q(credly__state=CredlyBadge.State.PENDING, credly__attempts=0))
        .values_list("pk", flat=True)
    )


def unrevoked(older_than_seconds):
    """Awards revoked ``older_than_seconds`` ago or more whose Credly copy is still issued there, or
    was queued and never attempted (it is then marked revoked without a call)."""
    if not configured():
        return Award.objects.none().values_list("pk", flat=True)
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return (
        Award.objects.filter(state=Award.State.REVOKED, revoked_at__lt=cutoff)
        .filter(
            Q(credly__state=CredlyBadge.State.ISSUED)
            | Q(credly__state=CredlyBadge.State.PENDING, credly__attempts=0)
        )
        .values_list("pk", flat=True)
    )
