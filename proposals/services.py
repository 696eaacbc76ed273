"""Every write to a proposal. Each service runs in one transaction and says what it guarantees."""

import os
import unicodedata

import filetype
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django_fsm import has_transition_perm

from core.people import name_in_records

from . import permissions, versions
from .models import Attachment, Comment, Consultation, Proposal, ProposalVersion
from .policy import State

# Content types accepted for attachments, as sniffed from the bytes (never from the name).
ALLOWED_UPLOADS = {
    "application/pdf": ("pdf", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx", "Word (DOCX)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx", "Excel (XLSX)"),
    "image/png": ("png", "PNG image"),
    "image/jpeg": ("jpg", "JPEG image"),
}


class SubmissionRefused(Exception):
    """The proposal is not ready: ``problems`` lists what stands in the way, by section."""

    def __init__(self, problems):
        super().__init__(f"{len(problems)} problem(s) stand between this proposal and submission")
        self.problems = problems


class StaleState(Exception):
    """Someone else moved the proposal on first."""


def _locked(proposal):
    """Re-read the proposal under a row lock: concurrent writers queue here, never interleave."""
    return Proposal.objects.select_for_update().get(pk=proposal.pk)


def _require_editor(user, proposal):
    if not permissions.can_edit(user, proposal):
        raise PermissionDenied(
            "Only the authors may change this proposal, and only while it is a draft "
            "or returned for revision."
        )


@transaction.atomic
def create_proposal(*, author, title, unit, kind, form, level):
    """Start a draft with ``author`` as lead author. Nothing is checked beyond the basics: a draft
    may be incomplete."""
    proposal = Proposal(lead_author=author, title=title, unit=unit, kind=kind, form=form, level=level)
    proposal.full_clean(exclude=["state"])
    proposal.save()
    return proposal


@transaction.atomic
def save_section(*, proposal, user, forms):
    """Save the forms of one section of a draft, all or nothing.

    ``forms`` are already validated Django forms and formsets bound to this proposal. The proposal
    row is locked first so that a concurrent submission cannot freeze a half-saved section.
    """
    locked = _locked(proposal)
    _require_editor(user, locked)
    for form in forms:
        saved = form.save()
        if hasattr(form, "forms"):  # a formset: keep the author's order
            for position, part_form in enumerate(f for f in form.forms if f.instance.pk):
                if part_form in form.deleted_forms:
                    continue
                if part_form.instance.position != position:
                    part_form.instance.position = position
                    part_form.instance.save(update_fields=["position"])
        del saved
    Proposal.objects.filter(pk=locked.pk).update(updated_at=timezone.now())


@transaction.atomic
def snapshot_version(*, proposal, user, current=None):
    """Freeze the proposal as it stands as the next numbered version. Versions never change.
    ``current`` is the proposal with its parts prefetched, when the caller already has it."""
    from .selectors import prefetched

    current = current if current is not None else prefetched().get(pk=proposal.pk)
    number = (proposal.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    return ProposalVersion.objects.create(
        proposal=proposal, number=number, data=versions.snapshot(current), created_by=user
    )


@transaction.atomic
def submit_proposal(*, proposal, user, approvals=()):
    """Submit a draft to the first stage of its route, or resubmit a proposal returned for revision
    to where its route now says (``approvals``: the stage approvals on record, see
    ``policy.resume_at``). Returns (proposal, version, the state it left).

    Guarantees: only an author submits; a proposal that breaks a rule of the active profile is not
    submitted (``SubmissionRefused`` lists the problems) and nothing is saved; a proposal submitted
    twice at once is submitted once (the row lock makes the second caller see the new state and
    fail with ``StaleState``); a submission freezes a version. The rules are checked once, on the
    locked row with its parts prefetched: the transition's condition reads the same verdict.
    """
    from .selectors import prefetched

    locked = prefetched().select_for_update(of=("self",)).get(pk=proposal.pk)
    before = locked.state
    if before not in State.EDITABLE:
        raise StaleState(f"This proposal is already “{locked.state_label}”.")
    if not has_transition_perm(locked.submit, user):
        if permissions.is_author(user, locked) and locked.submission_problems():
            raise SubmissionRefused(locked.submission_problems())
        raise PermissionDenied("Only the proposal's authors may submit it.")
    locked.submit(by=user, approvals=approvals)
    locked.save()
    version = snapshot_version(proposal=locked, user=user, current=locked)
    return locked, version, before


@transaction.atomic
def request_consultation(*, proposal, user, message=""):
    """Open a consultation: the office's staff may then read the draft and comment on it.
    Asking again while one is open changes nothing."""
    _require_editor(user, proposal)
    consultation = proposal.consultations.filter(closed_at__isnull=True).first()
    if consultation is None:
        consultation = Consultation.objects.create(proposal=proposal, requested_by=user, message=message)
    return consultation


@transaction.atomic
def add_comment(*, proposal, user, body):
    if not permissions.can_read(user, proposal):
        raise PermissionDenied("You may not comment on this proposal.")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write a comment first."})
    return Comment.objects.create(proposal=proposal, author=user, state=proposal.state, body=body)


def clean_filename(name):
    """A safe display name for an uploaded file: no path, no control characters, ASCII only."""
    name = os.path.basename((name or "").replace("\\", "/"))
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = get_valid_filename(name) if name.strip(" .") else ""
    return (name or "attachment")[-150:]


# Office files are zip archives: one that expands to far more than its own size, or holds
# thousands of entries, is refused before anything reads its contents.
ZIP_MIME = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
MAX_EXPANSION = 100  # times the file's own size
MAX_EXPANDED_BYTES = 200 * 1_048_576
MAX_ENTRIES = 5_000


def extension_is_zip(mime):
    return mime in ZIP_MIME


def refuse_archive_bomb(uploaded):
    """Read only the archive's directory (nothing is decompressed) and refuse a zip bomb."""
    import zipfile

    name = clean_filename(uploaded.name)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as broken:
        raise ValidationError(f"“{name}” is damaged: it cannot be opened as an Office document.") from broken
    finally:
        uploaded.seek(0)
    expanded = sum(entry.file_size for entry in entries)
    if len(entries) > MAX_ENTRIES or expanded > min(
        MAX_EXPANDED_BYTES, MAX_EXPANSION * max(uploaded.size, 1)
    ):
        raise ValidationError(
            f"“{name}” expands to far more than its own size ({expanded / 1_048_576:.0f} MB in "
            f"{len(entries)} parts); it is refused as a possible archive bomb."
        )


def check_upload(uploaded):
    """Refuse a file that is too large or whose content is not an allowed type. Returns the sniffed
    content type and the sanitised name with the extension that matches the content."""
    limit = settings.MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            f"“{clean_filename(uploaded.name)}” is {uploaded.size / 1_048_576:.1f} MB; files may be at most "
            f"{limit / 1_048_576:.0f} MB."
        )
    if uploaded.size == 0:
        raise ValidationError("The file is empty.")
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    allowed = ", ".join(label for _ext, label in ALLOWED_UPLOADS.values())
    if kind is None or kind.mime not in ALLOWED_UPLOADS:
        found = f" (its content is {kind.mime})" if kind else ""
        raise ValidationError(
            f"“{clean_filename(uploaded.name)}” is not a file type we accept{found}. Upload one of: {allowed}."
        )
    if extension_is_zip(kind.mime):
        refuse_archive_bomb(uploaded)
    extension, _label = ALLOWED_UPLOADS[kind.mime]
    stem, _dot, ext = clean_filename(uploaded.name).rpartition(".")
    name = (
        clean_filename(uploaded.name)
        if ext.lower() in (extension, "jpeg" if extension == "jpg" else "")
        else f"{stem or clean_filename(uploaded.name)}.{extension}"
    )
    return kind.mime, name


@transaction.atomic
def add_attachment(*, proposal, user, uploaded, purpose=Attachment.Purpose.SUPPORTING):
    """Store an uploaded file against a draft after checking its size and its real type."""
    _require_editor(user, proposal)
    content_type, name = check_upload(uploaded)
    attachment = Attachment(
        proposal=proposal,
        original_name=name,
        content_type=content_type,
        size=uploaded.size,
        purpose=purpose,
        uploaded_by=user,
    )
    attachment.file.save(name, uploaded, save=False)
    attachment.save()
    return attachment


@transaction.atomic
def remove_attachment(*, attachment, user):
    _require_editor(user, attachment.proposal)
    stored = attachment.file.name
    storage = attachment.file.storage
    attachment.delete()
    # Remove the file only once the row is gone for good.
    transaction.on_commit(lambda: storage.delete(stored))


def _home_unit(user, original_unit):
    """Where a copy lives: the original's unit when the person is a faculty member of it, otherwise
    the first unit they are a faculty member of (the unit the new-proposal form offers them first);
    with no faculty unit at all, the original's, which they may change in Basics."""
    from .models import UnitRole

    mine = [
        r.unit for r in UnitRole.objects.filter(user=user, role=UnitRole.Role.FACULTY).select_related("unit")
    ]
    if original_unit is None or any(u.pk == original_unit.pk for u in mine):
        return original_unit
    return min(mine, key=lambda u: (u.name, u.pk)) if mine else original_unit


def _by_name(model, names, field="name"):
    """Rows named in a snapshot (which keeps names, not ids), first of each name."""
    found = {}
    for row in model.objects.filter(**{f"{field}__in": names}).order_by("pk"):
        found.setdefault(getattr(row, field), row)
    return [found[n] for n in names if n in found]


def _copy_parts(copy, data):
    """Recreate a snapshot's repeating parts on ``copy``, with the alignment links. A snapshot names
    an outcome's activities and assessments by title: each title takes the next copied part of that
    title, so parts that share a title are linked as often as the original linked them. Returns
    {part name: {the snapshot's id of a part: the id of its copy}}."""
    from .models import Activity, Assessment, Competency, Course, Experience, LearningOutcome

    copied = {name: {} for name in ("courses", "experiences", "activities", "assessments", "outcomes")}
    for position, c in enumerate(data.get("courses", [])):
        course = Course.objects.create(
            proposal=copy,
            position=position,
            subject=c["subject"],
            number=c["number"],
            title=c["title"],
            credits=c["credits"],
            is_new=c["is_new"],
        )
        copied["courses"][str(c.get("id"))] = course.pk
    made = {}
    for name, model in (("experiences", Experience), ("activities", Activity), ("assessments", Assessment)):
        made[name] = [
            model.objects.create(
                proposal=copy, position=position, title=x["title"], description=x["description"]
            )
            for position, x in enumerate(data.get(name, []))
        ]
        copied[name] = {str(x.get("id")): m.pk for x, m in zip(data.get(name, []), made[name], strict=True)}
    for position, o in enumerate(data.get("outcomes", [])):
        outcome = LearningOutcome.objects.create(
            proposal=copy, position=position, kind=o["kind"], text=o["text"]
        )
        copied["outcomes"][str(o.get("id"))] = outcome.pk
        outcome.competencies.set(_by_name(Competency, o["competencies"]))
        for name in ("activities", "assessments"):
            taken = []
            for title in o[name]:
                same = [x for x in made[name] if x.title == title and x not in taken]
                taken.extend(same[:1] or [x for x in made[name] if x.title == title][:1])
            getattr(outcome, name).set(taken)
    copy.competencies.set(_by_name(Competency, data.get("competencies", [])))
    return copied


def _copied_from(original, version):
    """The copy's first comment: “Copied from MC-DEMO-5 Data Storytelling, version 2.”"""
    source = str(original) if original.code else f"“{original.title}”"
    if version is not None:
        return f"Copied from {source}, version {version.number}."
    latest = max((v.number for v in original.versions.all()), default=0)
    frozen = f" (latest version {latest})" if latest else ""
    return f"Copied from {source}, its current content{frozen}."


@transaction.atomic
def duplicate(proposal, user, version=None):
    """Copy a proposal's content, as it stands or as frozen in ``version`` (a ProposalVersion of
    it), into a new draft led by ``user``, and return the draft.

    Guarantees: only a faculty member who may read the proposal copies it (``PermissionDenied``);
    the original is not changed; the copy has every scalar field, course, experience, outcome,
    activity, assessment, alignment link, competency, co-sponsor and component of the source, the
    title prefixed “Copy of”, no code (codes name one catalogue entry), the unit ``_home_unit``
    chooses, no attachments (uploaded files belong to the original's review) and, as co-authors,
    the original's other authors only when ``user`` authored it; its first comment says where it
    came from. All of it or nothing: one transaction.
    """
    from .selectors import prefetched

    if not (permissions.can_create(user) and permissions.can_read(user, proposal)):
        raise PermissionDenied("Only faculty members who may read a proposal may copy it.")
    if version is not None and version.proposal_id != proposal.pk:
        raise ValidationError("That version belongs to another proposal.")
    current = prefetched().get(pk=proposal.pk)
    data = version.data if version is not None else versions.snapshot(current)
    scalars = {name: data.get(name) for name in versions.SCALAR_FIELDS if name in data}
    scalars["title"] = f"Copy of {data['title']}"[: Proposal._meta.get_field("title").max_length]
    scalars["code"] = ""
    home = _home_unit(user, current.unit)
    copy = Proposal(lead_author=user, unit=home, **scalars)
    copy.full_clean(exclude=["state"])
    copy.save()
    _copy_parts(copy, data)
    if version is None:
        sponsors, components = list(current.co_sponsors.all()), list(current.components.all())
    else:
        from .models import Unit

        sponsors = _by_name(Unit, data.get("co_sponsors", []))
        # A snapshot names each component as "CODE Title": match on that among proposals of the title.
        wanted = set(data.get("components", []))
        titles = wanted | {name.split(" ", 1)[-1] for name in wanted}
        components = [p for p in Proposal.objects.filter(title__in=titles) if str(p) in wanted]
    copy.co_sponsors.set([u for u in sponsors if u.pk != home.pk])
    copy.components.set(components)
    if permissions.is_author(user, current):
        authors = [current.lead_author, *current.co_authors.all()]
        copy.co_authors.set({a.pk: a for a in authors if a.pk != user.pk}.values())
    Comment.objects.create(proposal=copy, author=user, state=copy.state, body=_copied_from(current, version))
    return copy


# --- revising a published micro-credential --------------------------------------------------------


def check_effective_date(value):
    """A revision's effective date: given, and not in the past (today is fine: it then replaces the
    published one as soon as it is published)."""
    if value is None:
        raise ValidationError({"effective_from": "Give the date from which the revision replaces it."})
    today = timezone.localdate()
    if value < today:
        raise ValidationError(
            {
                "effective_from": f"The effective date cannot be in the past: choose {today:%-d %B %Y} or later."
            }
        )
    return value


def open_revision(proposal):
    """The revision of ``proposal`` that is under way or waiting to take over, if any."""
    return proposal.revisions.exclude(state__in=State.REVISION_ENDED).order_by("-pk").first()


def revision_refused(proposal):
    """Why ``proposal`` cannot be revised now, or "" when it can. Only what is published and in force
    is revised, one revision at a time."""
    if proposal.state != State.PUBLISHED:
        return f"Only a published micro-credential can be revised; this one is “{proposal.state_label}”."
    if proposal.awaits_effective_date:
        return (
            f"This revision replaces “{proposal.revision_of}” on {proposal.effective_from:%-d %B %Y}: "
            "revise it once it has."
        )
    under_way = open_revision(proposal)
    if under_way is not None:
        return f"A revision of it is already under way ({under_way.state_label}): only one may be open at a time."
    return ""


def _copy_attachments(source, copy):
    """Copy the files themselves (each row owns its file: removing it from one never removes the
    other's). A file missing from storage is left out. Returns {source id: copy id}."""
    from django.core.files.base import ContentFile

    copied = {}
    for attachment in source.attachments.all():
        try:
            with attachment.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            continue
        twin = Attachment(
            proposal=copy,
            original_name=attachment.original_name,
            content_type=attachment.content_type,
            size=attachment.size,
            purpose=attachment.purpose,
            uploaded_by=attachment.uploaded_by,
        )
        twin.file.save(attachment.original_name, ContentFile(content), save=False)
        twin.save()
        copied[str(attachment.pk)] = twin.pk
    return copied


@transaction.atomic
def start_revision(*, proposal, user, effective_from):
    """Start a revision of a published micro-credential: a new draft linked to it (``revision_of``),
    holding its current content, which goes through the approval route again like any proposal.

    Guarantees: only its authors and the office that publishes it start one (``PermissionDenied``);
    only a published micro-credential in force is revised, and only one revision is open at a time
    (``ValidationError``, also when two people start one at the same moment: the row lock queues
    them and the database's constraint stands behind it); the effective date is not in the past
    (a ``ValidationError`` on ``effective_from``). The published one is not changed: it stays open
    to learners until the revision, once published, replaces it on its effective date. The
    revision keeps the title, code, unit, authors, every part, link, co-sponsor, component and
    attachment; whoever starts it (an office's staff member included) does not become an author.
    Its first comment says what it revises and who started it. All or nothing.
    """
    from .selectors import prefetched

    if not permissions.may_start_revision(user, proposal):
        raise PermissionDenied("Only its authors and the office that publishes it may revise it.")
    check_effective_date(effective_from)
    locked = _locked(proposal)
    refused = revision_refused(locked)
    if refused:
        raise ValidationError(refused)
    current = prefetched().get(pk=locked.pk)
    data = versions.snapshot(current)
    scalars = {name: data.get(name) for name in versions.SCALAR_FIELDS if name in data}
    revision = Proposal(
        lead_author=current.lead_author,
        unit=current.unit,
        revision_of=current,
        effective_from=effective_from,
        revision_started_by=user,
        **scalars,
    )
    revision.full_clean(exclude=["state"])
    revision.save()
    part_ids = _copy_parts(revision, data)
    part_ids["attachments"] = _copy_attachments(current, revision)
    revision.revision_part_ids = part_ids
    revision.save(update_fields=["revision_part_ids"])
    revision.co_authors.set(current.co_authors.all())
    revision.co_sponsors.set(current.co_sponsors.all())
    revision.components.set(current.components.all())
    # The level of rigor the office agreed on stays on record for the revision (FIU asks for a
    # completed consultation before submission); the authors may ask for another one.
    agreed = next((c for c in current.consultations.all() if c.is_completed), None)
    if agreed is not None:
        Consultation.objects.create(
            proposal=revision,
            requested_by=agreed.requested_by,
            message=f"Carried over from the consultation on {current} of {agreed.closed_at:%-d %B %Y}.",
            closed_at=agreed.closed_at,
            closed_by=agreed.closed_by,
            rigor=agreed.rigor,
        )
    latest = max((v.number for v in current.versions.all()), default=0)
    frozen = f" (published version {latest})" if latest else ""
    who = name_in_records(user)
    Comment.objects.create(
        proposal=revision,
        author=user,
        state=revision.state,
        body=f"Revision of {current}{frozen}, started by {who}; "
        f"once approved and published it replaces it from {effective_from:%-d %B %Y}.",
    )
    return revision


def published_content(revision):
    """The published micro-credential's content as a revision's diff compares it: its latest frozen
    version, with its parts' ids turned into those of the revision's copies."""
    published = revision.revision_of
    version = published.versions.order_by("-number").first()
    data = version.data if version is not None else versions.snapshot(published)
    return version, versions.rekeyed(data, revision.revision_part_ids)
