"""People: how a person is named on the pages, and a person as the institution describes them at
sign-in, with the one service that records it.

A person is named by their name, never by their login name (a username means nothing to a
colleague, a registrar or an employer, and tells anyone how to attempt a login). ``full_name`` is the
given and family names as the institution (or the person) recorded them: the registrar's queue and
staff pages use it. A learner may choose another name for their credentials (``badges.people``).

The sign-in code (``microcred/signin/``) reads the identity provider's attributes into a
``Person`` through the attribute map in settings; ``record_person`` writes what the institution
says onto the account, and the apps that care (``badges``: a student is a learner) act on it
through the ``PERSON_SIGNED_IN`` hook."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction

from . import hooks
from .models import Profile

NO_NAME = "(no name on file)"


@dataclass(frozen=True)
class Person:
    """What the institution asserts about one person at one sign-in."""

    uid: str
    given_name: str
    family_name: str
    email: str = ""
    email_verified: bool = False
    affiliation: str = ""
    student_id: str = ""
    unit: str = ""
    entitlements: tuple = field(default_factory=tuple)

    @property
    def is_student(self):
        return self.affiliation == Profile.Affiliation.STUDENT and bool(self.student_id)


def profile_of(user):
    """The person's profile, made empty on first need (accounts older than profiles have none)."""
    return Profile.objects.get_or_create(user=user)[0]


@transaction.atomic
def record_person(*, user, person):
    """Write what the institution says onto ``user``: given and family names, email, affiliation
    and unit (never the name the person chose for their credentials, which is the learner's own), then let the apps act on it
    (``PERSON_SIGNED_IN``). Safe to call at every sign-in: the same attributes change nothing."""
    changed = []
    for attribute, value in (
        ("first_name", person.given_name),
        ("last_name", person.family_name),
        ("email", person.email),
    ):
        if value and getattr(user, attribute) != value:
            setattr(user, attribute, value)
            changed.append(attribute)
    if changed:
        user.save(update_fields=changed)
    profile = profile_of(user)
    if (profile.affiliation, profile.unit) != (person.affiliation, person.unit):
        profile.affiliation, profile.unit = person.affiliation, person.unit
        profile.save(update_fields=["affiliation", "unit", "updated_at"])
    _grant_entitled_groups(user, person)
    for receiver in hooks.implementations(hooks.PERSON_SIGNED_IN):
        receiver(user, person)
    return user


def _grant_entitled_groups(user, person):
    """The groups the entitlement map in settings (``SSO_ENTITLEMENT_GROUPS``) hands to the
    institution: a mapped group is held exactly while the institution asserts its entitlement.
    Groups the map does not name stay the administrator's to grant."""
    mapped = settings.SSO_ENTITLEMENT_GROUPS
    if not mapped:
        return
    granted = {mapped[value] for value in person.entitlements if value in mapped}
    for name in sorted(set(mapped.values())):
        group = Group.objects.get_or_create(name=name)[0]
        if name in granted:
            user.groups.add(group)
        else:
            user.groups.remove(group)


def full_name(user):
    """The person's given and family names, or a placeholder that says none is on file."""
    if user is None:
        return ""
    return user.get_full_name().strip() or NO_NAME


def name_in_records(user):
    """The name written into a record kept for staff (an audit comment, a membership log): the full
    name, else the login name, so that the record still says who, whatever is on file."""
    return user.get_full_name().strip() or user.username


def names_from_institution(user):
    """Whether the person's given and family names come from the institution's sign-in (refreshed
    at every sign-in, so changed there, not here)."""
    from allauth.socialaccount.models import SocialAccount

    return SocialAccount.objects.filter(user=user).exists()
