"""Demo data of the proposals app: NACE competencies, the active profile's units, the global role
groups and the people who are not members of a review body (administrator, faculty, program
evaluator, registrar, learner). Every write is get-or-create, so running it again changes nothing.
The project's ``seed_demo`` command calls this first, then each app above it."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from core import roles as global_roles

from .demo_units import demo_organisation
from .models import Competency, CompetencyFramework, Unit, UnitRole
from .nace import seed_nace
from .policy import active_profile

DEMO_PASSWORD = "microcred-demo"  # noqa: S105 - printed to the operator; seed_demo refuses production


@dataclass
class DemoLogin:
    username: str
    name: str
    role: str


@dataclass
class DemoSite:
    """What the demo builders hand each other: the logins so far and the units by code."""

    logins: list
    units: dict
    department: Unit
    school: Unit

    def user(self, username, first, last, role, **flags):
        """Find or create a demo login with the published password, and list it."""
        user, created = get_user_model().objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid", **flags},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        self.logins.append(DemoLogin(username, f"{first} {last}", role))
        return user


def seed_people():
    """The organisation and the people outside the review bodies; returns the ``DemoSite``."""
    organisation = demo_organisation(active_profile())
    seed_nace(CompetencyFramework, Competency)
    units = {}
    for code, name, kind, parent in organisation.units:
        units[code], _ = Unit.objects.get_or_create(
            code=code, defaults={"name": name, "kind": kind, "parent": units.get(parent)}
        )
    dept, school = units[organisation.home_department], units[organisation.home_school]
    site = DemoSite(logins=[], units=units, department=dept, school=school)
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in global_roles.GROUPS}

    site.user("admin", "Ada", "Admin", "Administrator", is_staff=True, is_superuser=True)
    for username, first, last in (("faculty", "Fatima", "Ortiz"), ("coauthor", "Chen", "Wei")):
        user = site.user(username, first, last, f"Faculty, {dept.name}")
        user.groups.add(groups[global_roles.FACULTY])
        UnitRole.objects.get_or_create(unit=dept, user=user, role=UnitRole.Role.FACULTY)
    evaluator = site.user("evaluator", "Evan", "Brooks", f"Program evaluator, {dept.name}")
    UnitRole.objects.get_or_create(unit=dept, user=evaluator, role=UnitRole.Role.PROGRAM_EVALUATOR)
    registrar = site.user("registrar", "Rita", "Nguyen", "Registrar")
    registrar.groups.add(groups[global_roles.REGISTRAR])
    learner = site.user("learner", "Leo", "Martins", "Learner")
    learner.groups.add(groups[global_roles.LEARNER])
    return site
