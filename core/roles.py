"""The role vocabulary: who a person can be in the product.

Institution-wide roles are held through Django groups (``FACULTY``, ``LEARNER``, ``REGISTRAR``).
Per-object roles come from memberships of review bodies (a body's ``CHAIR``, ``MEMBER`` or ``STAFF``)
and from unit roles (faculty of a unit, its program evaluators); ``review.permissions.roles_of``
reads them all into one ``Roles``. Each app's ``permissions.py`` answers who may do what from these.
"""

from dataclasses import dataclass, field

FACULTY = "Faculty"
LEARNER = "Learner"
REGISTRAR = "Registrar"

GROUPS = (FACULTY, LEARNER, REGISTRAR)

# A membership's role on a review body (``review.models.Membership.Role`` has these values).
CHAIR = "chair"
MEMBER = "member"
STAFF = "staff"


def in_group(user, name):
    if not user.is_authenticated:
        return False
    # Cache the user's group names on the instance: a page asks several times.
    names = getattr(user, "_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._group_names = names
    return name in names


@dataclass
class Roles:
    """Every role one person holds: what the home page, the navigation and the permission modules read."""

    is_admin: bool = False
    is_faculty: bool = False
    is_learner: bool = False
    is_registrar: bool = False
    faculty_units: list = field(default_factory=list)
    evaluator_units: list = field(default_factory=list)
    unit_reviewer_memberships: list = field(default_factory=list)
    committee_memberships: list = field(default_factory=list)
    office_memberships: list = field(default_factory=list)
    # Memberships of bodies of another profile than the active one: they still act on the proposals
    # submitted under that profile (``Proposal.profile``) until those are published or end.
    other_profile_memberships: list = field(default_factory=list)
    # The active profile's name for the office (“Office of Micro-Credentials”), for ``labels``.
    office_name: str = ""

    @property
    def is_unit_reviewer(self):
        return bool(self.unit_reviewer_memberships)

    @property
    def is_committee_member(self):
        return bool(self.committee_memberships)

    @property
    def chaired_memberships(self):
        return [m for m in self.committee_memberships if m.role == CHAIR]

    @property
    def is_office_staff(self):
        return bool(self.office_memberships)

    @property
    def is_program_evaluator(self):
        return bool(self.evaluator_units)

    @property
    def labels(self):
        """Human names of the roles held, for the page header and the demo listing."""
        names = []
        if self.is_faculty:
            names.append("Faculty")
        if self.is_unit_reviewer:
            names.append("Unit reviewer")
        if self.is_office_staff:
            names.append(f"{self.office_name} staff")
        if self.chaired_memberships:
            names.append("Committee chair")
        elif self.is_committee_member:
            names.append("Committee member")
        if self.is_program_evaluator:
            names.append("Program evaluator")
        if self.is_registrar:
            names.append("Registrar")
        if self.is_learner:
            names.append("Learner")
        if self.is_admin:
            names.append("Administrator")
        return names
