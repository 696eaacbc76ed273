"""The parts of a proposal a review stage can review, in the keys of a version's snapshot
(``proposals.versions.snapshot``): what a stage's approval is an approval *of*.

A stage (``types.Stage``) names the parts it reviews; an approval stands only while those parts are
as the body saw them (``routing.passed_stages``). A stage reviews at least the parts its condition
reads (a credit-bearing stage reviews the kind, a graduate stage the level, a curriculum stage the
new-course and stacking flags), so that a proposal that leaves a stage's route and comes back has
changed what that stage reviewed, and the old approval never comes back.
"""

# part name -> (what the page calls it, the snapshot keys it covers)
PARTS = {
    "kind": ("Kind", ("kind",)),
    "form": ("Form", ("form",)),
    "level": ("Level", ("level",)),
    "basics": ("Title and summary", ("title", "summary")),
    "purpose": (
        "Purpose, learners and employers",
        (
            "purpose",
            "target_learners",
            "employer_evidence",
            "open_to_non_matriculated",
            "non_matriculated_terms",
        ),
    ),
    "courses": ("Courses and credits", ("courses", "total_credits", "fewer_courses_justification")),
    "new_program": ("New program", ("requires_new_program",)),
    "experiences": ("Other required experiences", ("experiences",)),
    "competencies": ("Competencies", ("competencies",)),
    "outcomes": ("Learning outcomes and their alignment", ("outcomes",)),
    "activities": ("Learning activities and assessments", ("activities", "assessments")),
    "evidence": (
        "Badge evidence and reflection",
        ("evidence_submission", "evidence_evaluators", "evidence_criteria", "reflective_experience"),
    ),
    "fees": ("Fees", ("fee_amount", "fee_notes")),
    "implementation": (
        "Advising, progress tracking and instructors",
        ("advising_plan", "progress_tracking_plan", "instructor_qualification_plan"),
    ),
    "stacking": ("Stacking", ("stacks_into", "stacks_for_credit", "components", "theme")),
    "sponsors": ("Units", ("unit", "co_sponsors")),
    "attachments": ("Attachments", ("attachments",)),
}

# The academic content of a proposal: what is taught, at what level and for what credit, by which
# units, and how learning is assessed and evidenced. Not how the micro-credential is named and
# described, its purpose, learners and employers' interest (the supporting documentation the
# office's approval weighs), its fees, its practical plans or the files attached for the office.
ACADEMIC = (
    "kind",
    "form",
    "level",
    "courses",
    "new_program",
    "experiences",
    "competencies",
    "outcomes",
    "activities",
    "evidence",
    "stacking",
    "sponsors",
)
# Everything the proposal says: the office's own review.
EVERYTHING = tuple(PARTS)


def keys_of(parts):
    """The snapshot keys the named parts cover."""
    return [key for part in parts for key in PARTS[part][1]]


def parts_changed(parts, old, new):
    """The named parts whose content differs between two snapshots, in the order given."""
    return [part for part in parts if any(old.get(key) != new.get(key) for key in PARTS[part][1])]


def label(part):
    return PARTS[part][0]
