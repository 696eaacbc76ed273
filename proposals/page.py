"""The proposal page's reading sections: their anchors, their names in the page's navigation, and
which parts of a version's snapshot (``versions.snapshot``) each one shows, so that a change between
two versions marks the section where a reader sees it."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PageSection:
    anchor: str  # the id of the section's heading
    label: str  # its name in the "On this page" navigation
    # Snapshot keys shown there: a field ("title"), a repeating part ("courses") or one field of a
    # part ("outcomes.activities") where that field is shown somewhere other than the part itself.
    keys: tuple = field(default_factory=tuple)


PAGE_SECTIONS = [
    PageSection(
        "read-basics",
        "Basics",
        (
            "title",
            "code",
            "kind",
            "form",
            "level",
            "summary",
            "unit",
            "lead_author",
            "co_authors",
            "co_sponsors",
        ),
    ),
    PageSection(
        "read-purpose",
        "Purpose",
        (
            "purpose",
            "target_learners",
            "open_to_non_matriculated",
            "non_matriculated_terms",
            "employer_evidence",
        ),
    ),
    PageSection(
        "read-courses",
        "Courses",
        ("total_credits", "fewer_courses_justification", "requires_new_program", "courses", "experiences"),
    ),
    PageSection("read-outcomes", "Outcomes", ("competencies", "outcomes")),
    # The alignment matrix shows which activities and assessments serve each outcome.
    PageSection(
        "read-alignment",
        "Alignment",
        ("activities", "assessments", "outcomes.activities", "outcomes.assessments"),
    ),
    PageSection(
        "read-evidence",
        "Evidence",
        ("evidence_submission", "evidence_evaluators", "evidence_criteria", "reflective_experience"),
    ),
    PageSection("read-fees", "Fees", ("fee_amount", "fee_notes")),
    PageSection(
        "read-implementation",
        "Implementation",
        (
            "advising_plan",
            "progress_tracking_plan",
            "instructor_qualification_plan",
            "stacks_into",
            "stacks_for_credit",
            "theme",
            "components",
        ),
    ),
    PageSection("read-attachments", "Attachments", ("attachments",)),
    PageSection("comments", "Comments"),
    PageSection("history", "History"),
]

_SECTION_OF_KEY = {key: s.anchor for s in PAGE_SECTIONS for key in s.keys}


def section_of(key):
    """The anchor of the section that shows a snapshot key ("outcomes.text" falls back to "outcomes")."""
    return _SECTION_OF_KEY.get(key) or _SECTION_OF_KEY.get(key.partition(".")[0])


def changes_by_section(changes):
    """The changes between two versions grouped by the anchor of the section that shows each."""
    grouped = {}
    for change in changes:
        grouped.setdefault(section_of(change.key), []).append(change)
    return grouped
