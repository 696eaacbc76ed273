"""The proposal page's reading sections: their anchors, their names in the page's navigation, and
which parts of a version's snapshot (``versions.snapshot``) each one shows, so that a change between
two versions marks the section where a reader sees it.

A reading section shows what one or more of the edit sections (``forms.SECTIONS``) ask for: the keys
come from those sections' forms, so that a field added to a form is marked where it is edited."""

from dataclasses import dataclass

from .forms import SECTIONS_BY_SLUG, AlignmentForm


@dataclass(frozen=True)
class PageSection:
    anchor: str  # the id of the section's heading
    label: str  # its name in the "On this page" navigation
    edit_sections: tuple = ()  # the slugs of the edit sections whose fields it shows
    also: tuple = ()  # snapshot keys shown there that no form edits


PAGE_SECTIONS = [
    PageSection("read-basics", "Basics", ("basics",), also=("lead_author",)),
    PageSection("read-purpose", "Purpose", ("purpose",)),
    PageSection("read-courses", "Courses", ("courses",)),
    PageSection("read-outcomes", "Outcomes", ("outcomes",)),
    PageSection("read-alignment", "Alignment", ("activities", "alignment")),
    PageSection("read-evidence", "Evidence", ("evidence",)),
    PageSection("read-fees", "Fees", ("fees",)),
    PageSection("read-implementation", "Implementation", ("implementation",)),
    PageSection("read-attachments", "Attachments", ("attachments",)),
    PageSection("comments", "Comments"),
    PageSection("history", "History"),
]


def _keys(form_class):
    """The snapshot keys a form edits: a model form's fields, an inline formset's part (``courses``),
    the alignment matrix's links of each outcome."""
    if form_class is AlignmentForm:
        return ["outcomes.activities", "outcomes.assessments"]
    if hasattr(form_class, "fk"):
        return [form_class.fk.remote_field.get_accessor_name()]
    return list(form_class._meta.fields)


def _section_of_key():
    owner = {}
    for page_section in PAGE_SECTIONS:
        for slug in page_section.edit_sections:
            forms = SECTIONS_BY_SLUG[slug].forms
            # The attachments section has no form of its own: its part is named as it is.
            keys = [key for _prefix, form_class in forms for key in _keys(form_class)] or [slug]
            owner.update(dict.fromkeys(keys, page_section.anchor))
        owner.update(dict.fromkeys(page_section.also, page_section.anchor))
    return owner


_SECTION_OF_KEY = _section_of_key()


def section_of(key):
    """The anchor of the section that shows a snapshot key ("outcomes.text" falls back to "outcomes")."""
    return _SECTION_OF_KEY.get(key) or _SECTION_OF_KEY.get(key.partition(".")[0])


def changes_by_section(changes):
    """The changes between two versions grouped by the anchor of the section that shows each."""
    grouped = {}
    for change in changes:
        grouped.setdefault(section_of(change.key), []).append(change)
    return grouped
