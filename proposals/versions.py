"""Snapshots of a whole proposal and field-by-field differences between two of them.

A snapshot is plain JSON: scalar fields by name, related people and units by name, and each
repeating part as a list of items keyed by its id, so that an edited course shows as *changed*
rather than as one removed and one added.
"""

from dataclasses import dataclass

SCALAR_FIELDS = [
    "title",
    "code",
    "kind",
    "form",
    "level",
    "summary",
    "purpose",
    "target_learners",
    "open_to_non_matriculated",
    "non_matriculated_terms",
    "employer_evidence",
    "total_credits",
    "fewer_courses_justification",
    "requires_new_program",
    "evidence_submission",
    "evidence_evaluators",
    "evidence_criteria",
    "reflective_experience",
    "fee_amount",
    "fee_notes",
    "advising_plan",
    "progress_tracking_plan",
    "instructor_qualification_plan",
    "stacks_into",
    "stacks_for_credit",
    "theme",
]

# part name -> (label, fields shown in a diff)
PARTS = {
    "courses": ("Course", ["subject", "number", "title", "credits", "is_new"]),
    "experiences": ("Experience", ["title", "description"]),
    "outcomes": ("Outcome", ["kind", "text", "competencies", "activities", "assessments"]),
    "activities": ("Activity", ["title", "description"]),
    "assessments": ("Assessment", ["title", "description"]),
    "attachments": ("Attachment", ["original_name", "purpose", "size"]),
}


def _plain(value):
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def snapshot(proposal):
    """The whole proposal as JSON-ready data (reads through prefetched relations when present)."""
    data = {name: _plain(getattr(proposal, name)) for name in SCALAR_FIELDS}
    data["unit"] = proposal.unit.name
    data["lead_author"] = proposal.lead_author.get_full_name() or proposal.lead_author.username
    data["co_authors"] = sorted(u.get_full_name() or u.username for u in proposal.co_authors.all())
    data["co_sponsors"] = sorted(u.name for u in proposal.co_sponsors.all())
    data["competencies"] = sorted(c.name for c in proposal.competencies.all())
    data["components"] = sorted(str(p) for p in proposal.components.all())
    data["courses"] = [
        {
            "id": c.pk,
            "subject": c.subject,
            "number": c.number,
            "title": c.title,
            "credits": _plain(c.credits),
            "is_new": c.is_new,
        }
        for c in proposal.courses.all()
    ]
    for name in ("experiences", "activities", "assessments"):
        data[name] = [
            {"id": x.pk, "title": x.title, "description": x.description}
            for x in getattr(proposal, name).all()
        ]
    data["outcomes"] = [
        {
            "id": o.pk,
            "kind": o.kind,
            "text": o.text,
            "competencies": sorted(c.name for c in o.competencies.all()),
            "activities": sorted(a.title for a in o.activities.all()),
            "assessments": sorted(a.title for a in o.assessments.all()),
        }
        for o in proposal.outcomes.all()
    ]
    data["attachments"] = [
        {"id": a.pk, "original_name": a.original_name, "purpose": a.purpose, "size": a.size}
        for a in proposal.attachments.all()
    ]
    return data


@dataclass(frozen=True)
class Change:
    change: str  # "changed", "added" or "removed"
    label: str  # what it is about, e.g. "Title" or "Course CS 480"
    field: str  # the field within a part ("" for a whole added or removed part)
    old: object
    new: object
    key: str = ""  # the snapshot's key it comes from ("title", "courses" …): where the page shows it


def _label(name):
    from .models import Proposal

    try:
        return str(Proposal._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name.replace("_", " ").capitalize()


def _item_label(part, item):
    noun = PARTS[part][0]
    if part == "courses":
        return f"{noun} {item['subject']} {item['number']}".strip()
    if part == "outcomes":
        return f"{noun} “{item['text'][:60]}”"
    if part == "attachments":
        return f"{noun} {item['original_name']}"
    return f"{noun} “{item['title']}”"


def _show(value):
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    if value in (None, ""):
        return "—"
    if value is True:
        return "Yes"
    if value is False:
        return "No"
    return value


def diff(old, new):
    """Every difference between two snapshots, in the order the proposal reads."""
    changes = []
    for name in [
        *SCALAR_FIELDS,
        "unit",
        "lead_author",
        "co_authors",
        "co_sponsors",
        "competencies",
        "components",
    ]:
        if old.get(name) != new.get(name):
            changes.append(
                Change("changed", _label(name), "", _show(old.get(name)), _show(new.get(name)), key=name)
            )
    for part, (_noun, fields) in PARTS.items():
        before = {item["id"]: item for item in old.get(part, [])}
        after = {item["id"]: item for item in new.get(part, [])}
        for key, item in after.items():
            if key not in before:
                summary = "; ".join(f"{f.replace('_', ' ')}: {_show(item.get(f))}" for f in fields)
                changes.append(Change("added", _item_label(part, item), "", "—", summary, key=part))
                continue
            for field in fields:
                if before[key].get(field) != item.get(field):
                    changes.append(
                        Change(
                            "changed",
                            _item_label(part, item),
                            field.replace("_", " "),
                            _show(before[key].get(field)),
                            _show(item.get(field)),
                            key=f"{part}.{field}",
                        )
                    )
        for key, item in before.items():
            if key not in after:
                summary = "; ".join(f"{f.replace('_', ' ')}: {_show(item.get(f))}" for f in fields)
                changes.append(Change("removed", _item_label(part, item), "", summary, "—", key=part))
    return changes


def rekeyed(data, part_ids):
    """``data`` (a snapshot) with each part's id replaced by the id of its copy, as ``part_ids`` maps
    them ({part name: {id: copy's id}}): the snapshot of a proposal compared with a revision copied
    from it then shows an edited part as changed, not as one removed and one added. A part with no
    copy keeps an id no copy has, so it shows as removed."""
    out = dict(data)
    for part in PARTS:
        mapping = part_ids.get(part, {})
        out[part] = [
            {**item, "id": mapping.get(str(item.get("id")), f"published-{item.get('id')}")}
            for item in data.get(part, [])
        ]
    return out


class ContentHistory:
    """The proposal's content as each of its versions froze it, and as it is now: which of the parts a
    stage reviews changed since the version it approved (``policy.passed_stages``). Reads the
    versions' data once, with one query, only when asked."""

    def __init__(self, proposal):
        self.proposal = proposal
        self._versions = None
        self._now = None

    def _load(self):
        if self._versions is None:
            from .models import ProposalVersion

            self._versions = dict(
                ProposalVersion.objects.filter(proposal_id=self.proposal.pk)
                .order_by("number")
                .values_list("number", "data")
            )
        return self._versions

    @property
    def now(self):
        if self._now is None:
            self._now = snapshot(self.proposal)
        return self._now

    def changed_parts(self, stage, number):
        """The parts ``stage`` reviews that differ, in any version after ``number`` or now, from
        version ``number``; every part it reviews when that version is unknown."""
        from .policy.parts import parts_changed

        versions = self._load()
        approved = versions.get(number)
        if approved is None:
            return list(stage.reviews)
        later = [data for n, data in versions.items() if n > number] + [self.now]
        changed = set()
        for data in later:
            changed.update(parts_changed(stage.reviews, approved, data))
        return [part for part in stage.reviews if part in changed]
