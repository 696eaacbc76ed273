"""Demo data for trying the product: units, the active profile's review bodies with members, and
one login per role. Every write is get-or-create, so running it again changes nothing."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from proposals import roles as global_roles
from proposals.models import Competency, CompetencyFramework, Unit, UnitRole
from proposals.nace import seed_nace
from proposals.policy import ROUTES, VOTE, BodyKind, active_profile

from .models import Membership, ReviewBody

DEMO_PASSWORD = "microcred-demo"  # noqa: S105 - printed to the operator; seed_demo refuses production

# (code, name, kind, parent code) per profile, parents first.
UNITS = {
    "binghamton": [
        ("binghamton", "Binghamton University", Unit.Kind.UNIVERSITY, None),
        ("harpur", "Harpur College of Arts and Sciences", Unit.Kind.SCHOOL, "binghamton"),
        (
            "watson",
            "Thomas J. Watson College of Engineering and Applied Science",
            Unit.Kind.SCHOOL,
            "binghamton",
        ),
        ("som", "School of Management", Unit.Kind.SCHOOL, "binghamton"),
        ("cs", "Department of Computer Science", Unit.Kind.DEPARTMENT, "watson"),
        ("english", "Department of English", Unit.Kind.DEPARTMENT, "harpur"),
        ("clt", "Center for Learning and Teaching", Unit.Kind.CENTRE, "binghamton"),
    ],
    "fiu": [
        ("fiu", "Florida International University", Unit.Kind.UNIVERSITY, None),
        ("cec", "College of Engineering and Computing", Unit.Kind.SCHOOL, "fiu"),
        ("business", "College of Business", Unit.Kind.SCHOOL, "fiu"),
        (
            "scis",
            "Knight Foundation School of Computing and Information Sciences",
            Unit.Kind.DEPARTMENT,
            "cec",
        ),
        ("marketing", "Department of Marketing and Logistics", Unit.Kind.DEPARTMENT, "business"),
        ("asa-office", "Academic and Student Affairs", Unit.Kind.OFFICE, "fiu"),
    ],
}

# The department where the demo faculty, unit reviewer and program evaluator work, and its school.
HOME_UNITS = {"binghamton": ("cs", "watson"), "fiu": ("scis", "cec")}

BODY_SLUGS = {
    BodyKind.OFFICE_COMMITTEE: "omc",
    BodyKind.GRADUATE_COUNCIL: "gc",
    BodyKind.EPPC: "eppc",
    BodyKind.FSEC: "fsec",
    BodyKind.FSCC: "fscc",
    BodyKind.ASA: "asa",
}


@dataclass
class DemoLogin:
    username: str
    name: str
    role: str


def _user(username, first, last, logins, role, **flags):
    User = get_user_model()
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid", **flags},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    logins.append(DemoLogin(username, f"{first} {last}", role))
    return user


def _member(body, user, role):
    Membership.objects.get_or_create(body=body, user=user, defaults={"role": role})


@transaction.atomic
def seed_demo():
    """Create (or find) the demo organisation and users of the active profile; return the logins."""
    profile = active_profile()
    logins: list[DemoLogin] = []
    seed_nace(CompetencyFramework, Competency)

    units = {}
    for code, name, kind, parent in UNITS[profile.key]:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent)}
        )
    dept_code, school_code = HOME_UNITS[profile.key]
    dept, school = units[dept_code], units[school_code]

    committees = {}
    for unit in (dept, school):
        committees[unit.code], _ = ReviewBody.objects.get_or_create(
            slug=f"{unit.code}-curriculum",
            defaults={
                "name": f"{unit.name} curriculum committee",
                "kind": BodyKind.UNIT_COMMITTEE,
                "unit": unit,
            },
        )

    groups = {name: Group.objects.get_or_create(name=name)[0] for name in global_roles.GROUPS}

    _user("admin", "Ada", "Admin", logins, "Administrator", is_staff=True, is_superuser=True)
    for username, first, last in (("faculty", "Fatima", "Ortiz"), ("coauthor", "Chen", "Wei")):
        user = _user(username, first, last, logins, f"Faculty, {dept.name}")
        user.groups.add(groups[global_roles.FACULTY])
        UnitRole.objects.get_or_create(unit=dept, user=user, role=UnitRole.Role.FACULTY)

    reviewer = _user("unitreviewer", "Uma", "Reyes", logins, f"Unit reviewer, {committees[dept.code].name}")
    _member(committees[dept.code], reviewer, Membership.Role.CHAIR)
    school_reviewer = _user(
        "schoolreviewer", "Sam", "Okafor", logins, f"Unit reviewer, {committees[school.code].name}"
    )
    _member(committees[school.code], school_reviewer, Membership.Role.CHAIR)

    voting_kinds = {stage.body_kind for stage in ROUTES[profile.key] if stage.decided_by == VOTE}
    for kind in profile.bodies:
        slug = BODY_SLUGS[kind]
        body, _ = ReviewBody.objects.get_or_create(
            slug=slug, defaults={"name": profile.body_label(kind), "kind": kind, "profile": profile.key}
        )
        label = body.name
        if kind == profile.office_body:
            staff = _user("office", "Olivia", "Stone", logins, f"{profile.office_name} staff")
            _member(body, staff, Membership.Role.STAFF)
        if kind not in voting_kinds:
            continue  # decided by its staff, not by a vote
        chair = _user(f"{slug}-chair", "Chair of", slug.upper(), logins, f"Committee chair, {label}")
        _member(body, chair, Membership.Role.CHAIR)
        for n in (1, 2):
            member = _user(
                f"{slug}-member{n}", f"Member {n} of", slug.upper(), logins, f"Committee member, {label}"
            )
            _member(body, member, Membership.Role.MEMBER)

    evaluator = _user("evaluator", "Evan", "Brooks", logins, f"Program evaluator, {dept.name}")
    UnitRole.objects.get_or_create(unit=dept, user=evaluator, role=UnitRole.Role.PROGRAM_EVALUATOR)
    registrar = _user("registrar", "Rita", "Nguyen", logins, "Registrar")
    registrar.groups.add(groups[global_roles.REGISTRAR])
    learner = _user("learner", "Leo", "Martins", logins, "Learner")
    learner.groups.add(groups[global_roles.LEARNER])
    return logins
