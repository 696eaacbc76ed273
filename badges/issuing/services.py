"""Issuing: achievements from published proposals, awards, issuing their signed credentials,
revocation and the issuer's keys. Each runs in one transaction and says what it guarantees."""

import json
import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_fsm import can_proceed

from core import hooks
from core.queue import enqueue
from proposals.choices import Form, Kind
from proposals.models import Proposal, ProposalVersion
from proposals.policy import State
from proposals.selectors import prefetched
from review.services import notify

from .. import people, permissions
from ..awarding import stacking
from ..models import Achievement, Award, Credential, IssuerKey, StatusList
from ..selectors import current_achievement
from . import documents, images, keys, signing

logger = logging.getLogger(__name__)


# --- keys ------------------------------------------------------------------------------------------


@transaction.atomic
def create_issuer_key():
    """Make a new Ed25519 key: its private part to a file in ISSUER_KEY_DIR, its public part to the
    database. The new key signs from now on; older keys stay published."""
    name = f"key-{timezone.now():%Y%m%d}-{secrets.token_hex(4)}"
    public = keys.generate(name)
    key = IssuerKey.objects.create(name=name, public_key_multibase=keys.multikey(public))
    _forget_signing_key()  # the new key signs from now on in this process
    # The revocation status list is public before any credential points at it, signed by the new key.
    publish_status_list()
    _forget_signing_key()  # the cache never keeps a key that this transaction might yet roll back
    return key


@transaction.atomic
def rotate_issuer_key():
    """Make a new signing key and retire every key that could sign until now, in one transaction.
    Guarantees: from the commit on, this process signs new credentials and the status list with
    the new key only (other processes within ``KEY_CACHE_SECONDS``); retired keys stay published
    under ``assertionMethod``, so every credential they signed keeps verifying; the status list is
    signed anew by the new key. Returns the new key and the keys retired now."""
    now = timezone.now()
    able = IssuerKey.objects.select_for_update().filter(retired_at__isnull=True, revoked_at__isnull=True)
    retired = list(able)
    IssuerKey.objects.filter(pk__in=[k.pk for k in retired]).update(retired_at=now)
    for old in retired:
        old.retired_at = now
    return create_issuer_key(), retired


@transaction.atomic
def revoke_issuer_key(*, name, reason, rotate=False):
    """Mark a key compromised: it signs nothing more and what it signed is no longer trusted (the
    award pages say so, and it leaves the controller document's ``assertionMethod``, so independent
    verifiers reject it too); it stays published with its ``revoked`` date. With ``rotate`` a new
    key is made first, in the same transaction. Guarantees: never leaves the institution without a
    key that can sign; the status list is signed anew by a key that is not revoked; revoking twice
    changes nothing. Returns the key."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the key is revoked (for example, how it was compromised)."})
    key = IssuerKey.objects.select_for_update().filter(name=name).first()
    if key is None:
        raise ValidationError(f"There is no issuer key named “{name}”.")
    if key.revoked_at is not None:
        return key
    if rotate:
        rotate_issuer_key()
    can_sign = IssuerKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True).exclude(pk=key.pk)
    if not can_sign.exists():
        raise ValidationError(
            f"{name} is the only key that can sign: make a new key first, with "
            f'`python manage.py revoke_issuer_key {name} --reason "…" --rotate` '
            "(or `python manage.py rotate_issuer_key`, then revoke it)."
        )
    now = timezone.now()
    key.revoked_at, key.revoked_reason = now, reason
    key.retired_at = key.retired_at or now
    key.save(update_fields=["revoked_at", "revoked_reason", "retired_at"])
    _forget_signing_key()
    publish_status_list()  # it may have been signed by the revoked key
    _forget_signing_key()
    return key


_current_key = {"key": None, "until": 0.0}
KEY_CACHE_SECONDS = 5


def _forget_signing_key():
    _current_key.update(key=None, until=0.0)


def signing_key():
    """The key that signs now: the newest that is neither retired nor revoked. Read at most every
    few seconds per process (a batch of awards does not ask the database each time): a rotation or
    revocation takes effect at once in the process that makes it, and within ``KEY_CACHE_SECONDS``
    in the others (the web and the workers)."""
    now = time.monotonic()
    if _current_key["key"] is not None and now < _current_key["until"]:
        return _current_key["key"]
    key = IssuerKey.objects.filter(retired_at__isnull=True, revoked_at__isnull=True).first()
    if key is None:
        raise ValidationError(
            "The institution has no signing key: run `python manage.py create_issuer_key` first."
        )
    _current_key.update(key=key, until=now + KEY_CACHE_SECONDS)
    return key


def _sign(document, key, now, verification_method=None):
    """``document`` with a Data Integrity proof by ``key``, made ``now``, naming the key as the
    current ``ISSUER_IDENTIFIER`` does unless ``verification_method`` is given."""
    return signing.sign(
        document,
        private_key=keys.load_private(key.name),
        verification_method=verification_method or documents.key_id(key),
        created=documents.iso(now),
    )


def public_key_for(verification_method):
    """The public key of one of our verification methods that may assert credentials (under either
    id, https or did:web), or None. As in the controller and DID documents, a revoked (compromised)
    key verifies nothing; a retired key does."""
    trusted = IssuerKey.objects.filter(revoked_at__isnull=True)
    key = next((k for k in trusted if verification_method in (k.url, k.did_url)), None)
    return keys.public_key_from_multikey(key.public_key_multibase) if key else None


# --- achievements -----------------------------------------------------------------------------


@transaction.atomic
def create_achievement(*, proposal_id):
    """Build the Open Badges 3.0 achievement of a published proposal, once per proposal version:
    delivered twice, it makes one (the database refuses a second row for the same version)."""
    proposal = prefetched().select_related("unit").get(pk=proposal_id)
    latest = proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0
    existing = Achievement.objects.filter(proposal=proposal).order_by("-version").first()
    if existing is not None and existing.proposal_version == latest:
        return existing
    version = (existing.version + 1) if existing else 1
    achievement = Achievement(
        proposal=proposal,
        version=version,
        proposal_version=latest,
        name=proposal.title,
        achievement_type=Achievement.Type.CERTIFICATE
        if proposal.form == Form.MICRO_CERTIFICATE
        else Achievement.Type.BADGE,
        credit_bearing=proposal.kind == Kind.CREDIT_BEARING,
        credits=proposal.total_credits if proposal.kind == Kind.CREDIT_BEARING else None,
    )
    image_url = documents.absolute(reverse("badges:achievement_image", args=[achievement.uuid]))
    components = [
        found
        for found in (current_achievement(part) for part in proposal.components.all())
        if found is not None
    ]
    achievement.data = documents.achievement_document(
        proposal=proposal,
        achievement_uuid=achievement.uuid,
        version=version,
        image_url=image_url,
        related=components if proposal.form == Form.MICRO_CERTIFICATE else (),
    )
    drawing = {
        "name": proposal.title,
        "institution": documents.institution_name(),
        "achievement_type": achievement.achievement_type,
    }
    achievement.image_png = images.render_png(**drawing)
    achievement.image_svg = images.render_svg(**drawing)
    try:
        with transaction.atomic():
            achievement.save()
    except IntegrityError:  # made by a concurrent delivery
        return Achievement.objects.get(proposal=proposal, version=version)
    return achievement


def published_without_achievement(older_than_seconds):
    """The outbox of publishing: proposals published more than ``older_than_seconds`` ago that have
    no achievement of their latest version yet (the version ``create_achievement`` builds from)."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    latest = ProposalVersion.objects.filter(proposal=OuterRef("pk")).order_by("-number").values("number")[:1]
    built = Achievement.objects.filter(proposal=OuterRef("pk"), proposal_version=OuterRef("latest"))
    return (
        Proposal.objects.filter(state=State.PUBLISHED, stage_entered_at__lt=cutoff)
        .annotate(latest=Coalesce(Subquery(latest), 0))
        .exclude(Exists(built))
        .values_list("pk", flat=True)
    )


# --- awards -------------------------------------------------------------------------------------


def _next_status_index():
    status_list, _ = StatusList.objects.select_for_update().get_or_create(purpose="revocation")
    index = status_list.next_index
    if index >= documents.STATUS_LIST_SIZE:
        raise ValidationError("The revocation status list is full; a new list is needed.")
    StatusList.objects.filter(pk=status_list.pk).update(next_index=index + 1)
    if documents.did_web_mode() and status_list.credential_json and not status_list.did_credential_json:
        # A site that issued before the list was also published under the did:web id: publish it
        # before the first credential that points at it.
        publish_status_list()
    return index


@transaction.atomic
def award(
    *,
    learner,
    achievement,
    awarded_by=None,
    narrative="",
    evidence_public=False,
    listed=False,
    evidence_url="",
    source=Award.Source.EVIDENCE,
    bulk=None,
):
    """Record that ``learner`` has earned ``achievement`` and hand it to the issuing task once the
    transaction commits. Guarantees: nobody awards themselves; one award per learner and achievement
    (awarding again returns the existing one); the award is never lost if the broker is down (the
    periodic sweep issues pending awards)."""
    if awarded_by is not None and awarded_by.pk == learner.pk:
        raise PermissionDenied("Nobody awards themselves.")
    existing = Award.objects.filter(learner=learner, achievement=achievement).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            made = Award.objects.create(
                learner=learner,
                achievement=achievement,
                awarded_by=awarded_by,
                status_index=_next_status_index(),
                narrative=narrative,
                evidence_public=evidence_public,
                listed=listed,
                evidence_url=evidence_url,
                source=source,
                bulk=bulk,
            )
    except IntegrityError:  # awarded by a concurrent request
        return Award.objects.get(learner=learner, achievement=achievement)
    transaction.on_commit(lambda: _enqueue_issue(made.pk))
    return made


def _enqueue_issue(award_id):
    from ..tasks import issue_award

    enqueue(issue_award, award_id)  # broker down: the award stays pending and the sweep issues it


def issue_credential(*, award_id):
    """Issue a pending award: build, sign, bake and store its credential, then tell the learner.
    Idempotent: the award row is locked, an award already issued is left as it is, and the database
    allows one credential per award. Returns the award."""
    with transaction.atomic():
        award = (
            Award.objects.select_for_update(of=("self",))
            # The proposal too: the stacking check after issuing reads it.
            .select_related("learner__learner", "achievement__proposal")
            .get(pk=award_id)
        )
        if not can_proceed(award.issue):
            return award  # issued already (or revoked): delivered twice, it issues once
        key = signing_key()
        now = timezone.now()
        valid_until = (
            now + timedelta(days=award.achievement.valid_for_days)
            if award.achievement.valid_for_days
            else None
        )
        credential = _store_credential(award, key, now, issued_at=now, valid_until=valid_until)
        award.issue(credential=credential, at=now, valid_until=valid_until)
        award.save(update_fields=["state", "issued_at", "valid_until", "last_error", "credential"])
        _tell_learner(
            award,
            subject=f"You have earned “{award.achievement.name}”",
            body=f"Congratulations: {documents.institution_name()} has awarded you “{award.achievement.name}”. "
            "Download your badge, or share its page, from your awards.",
            key=f"award-issued:{award.pk}",
        )
        for name in hooks.implementations(hooks.AWARD_ISSUED):
            transaction.on_commit(lambda name=name, pk=award.pk: _send(name, pk))
        stacking.award_completed_certificates(award)
        _pause_for_tests(award)
    return award


def _pause_for_tests(award):
    """Tests only (``BADGES_TEST_ISSUE_DELAY_SECONDS``, 0 otherwise): hold the issue open before it
    commits, so that a test can kill the worker half-way through."""
    if settings.BADGES_TEST_ISSUE_DELAY_SECONDS:
        logger.warning("Pausing the issue of award %s before its commit (tests only).", award.pk)
        time.sleep(settings.BADGES_TEST_ISSUE_DELAY_SECONDS)


def _store_credential(award, key, now, *, issued_at, valid_until):
    """Build, sign, bake and store a credential of ``award`` at its current status index."""
    components = stacking.components_of(award) if award.source == Award.Source.STACKED else ()
    unsigned = documents.credential_document(
        award=award,
        components=components,
        achievement_data=award.achievement.data,
        issued_at=issued_at,
        valid_until=valid_until,
        # Published (signed) since the first key was made: see create_issuer_key.
        status_list_url=documents.status_list_url(StatusList(purpose="revocation")),
        holder_name=people.name_on_credential(award.learner),
    )
    signed = _sign(unsigned, key, now)
    text = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
    return Credential.objects.create(
        award=award,
        status_index=award.status_index,
        json=text,
        png=images.bake_png(bytes(award.achievement.image_png), text),
        svg=images.bake_svg(award.achievement.image_svg, text),
        key=key,
    )


def _tell_learner(award, *, subject, body, key):
    """Email the learner about their award, linking its page (once per ``key``)."""
    notify(
        recipients=[award.learner],
        subject=subject,
        body=body,
        url=reverse("badges:award", args=[award.public_id]),
        key=key,
    )


def _send(task_name, award_id):
    enqueue(task_name, award_id)  # broker down: the hook's own outbox finds the award again


def pending_awards(older_than_seconds=60):
    """The outbox of issuing: awards still pending ``older_than_seconds`` after they were made."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    return Award.objects.filter(state=Award.State.PENDING, created_at__lt=cutoff).values_list("pk", flat=True)


@transaction.atomic
def set_listed(*, award, listed):
    """Whether the award is listed publicly (the learner's choice); its link works either way."""
    Award.objects.filter(pk=award.pk).update(listed=bool(listed))


# --- revocation -------------------------------------------------------------------------------------


@transaction.atomic
def revoke(*, award, user, reason):
    """Revoke an issued award with a reason (its ``revoke`` transition, on the locked row) and
    publish it in the signed status list. Revoking twice changes nothing."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the award is revoked."})
    locked = Award.objects.select_for_update().get(pk=award.pk)
    if not permissions.may_revoke(user, locked):
        raise PermissionDenied("Only the awarding office's staff revoke awards.")
    return _revoke(locked, user, reason)


def _revoke(locked, user, reason):
    if locked.state == Award.State.REVOKED:
        return locked
    if not can_proceed(locked.revoke):
        raise ValidationError("Only an issued award can be revoked.")
    locked.revoke(by=user, reason=reason, at=timezone.now())
    locked.save(update_fields=["state", "revoked_at", "revoked_by", "revoked_reason"])
    publish_status_list()
    stacking.component_revoked(locked)
    for name in hooks.implementations(hooks.AWARD_REVOKED):
        transaction.on_commit(lambda name=name, pk=locked.pk: _send(name, pk))
    return locked


def revoke_on_erasure(*, learner, by, reason):
    """Revoke every award of a person being erased at their request (``core.privacy``; the
    administrator's right to erase was checked there). Their signed credentials stay, so that
    whoever holds a copy learns from the status list that it is revoked."""
    for award in Award.objects.select_for_update().filter(learner=learner, state=Award.State.ISSUED):
        _revoke(award, by, reason)


def publish_status_list():
    """Sign the revocation status list anew from the revoked awards (the list row is locked), twice:
    issued under the https issuer id and under the did:web one, since a verifier requires the
    list's issuer to be the credential's and credentials issued in either mode point at theirs."""
    status_list, _ = StatusList.objects.select_for_update().get_or_create(purpose="revocation")
    # Revoked: every credential of a revoked award, and every credential superseded by a re-issue.
    revoked = set(Award.objects.filter(state=Award.State.REVOKED).values_list("status_index", flat=True))
    revoked.update(
        Credential.objects.filter(
            Q(award__state=Award.State.REVOKED) | ~Q(award__credential=F("pk"))
        ).values_list("status_index", flat=True)
    )
    key = signing_key()
    now = timezone.now()
    for field, url, issuer, method in (
        ("credential_json", status_list.url, documents.https_issuer_id(), key.url),
        ("did_credential_json", status_list.did_url, documents.issuer_did(), key.did_url),
    ):
        document = documents.status_list_document(
            url=url, issuer=issuer, revoked_indices=revoked, valid_from=now
        )
        signed = _sign(document, key, now, verification_method=method)
        setattr(status_list, field, json.dumps(signed, separators=(",", ":")))
    status_list.save(update_fields=["credential_json", "did_credential_json", "updated_at"])
    return status_list


def verify_credential(credential):
    """Whether a credential (parsed JSON) verifies with our own keys (signature only)."""
    return signing.verify(credential, public_key_for)
