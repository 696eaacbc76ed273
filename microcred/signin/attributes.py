"""The institution's attributes read into a ``core.people.Person``, through the map in settings
(``SSO_OIDC_CLAIMS``): which claim carries the given name, the student ID, the affiliation …
Configuration, not code, decides what each institution's identity provider calls them."""

from django.conf import settings

from core.models import Profile
from core.people import Person

# What an account cannot be made without, with the words the refusal page uses.
REQUIRED = {
    "uid": "a stable identifier",
    "given_name": "a given name",
    "family_name": "a family name",
    "email": "an email address",
}


def claims_of(data):
    """The ID token's claims with the userinfo endpoint's over them (the spec says they agree on
    ``sub``; userinfo usually says more)."""
    return {**(data.get("id_token") or {}), **(data.get("userinfo") or {})}


def _values(claims, key):
    """Every value the claim mapped to ``key`` carries (one or several), trimmed, blanks left out."""
    name = settings.SSO_OIDC_CLAIMS.get(key)
    value = claims.get(name) if name else None
    values = value if isinstance(value, list | tuple) else [] if value is None else [value]
    return [text for v in values if (text := str(v).strip())]


def _text(claims, key):
    values = _values(claims, key)
    return values[0] if values else ""


def missing(claims):
    """What the institution left out of what an account needs, as the refusal page names it."""
    return [label for key, label in REQUIRED.items() if not _text(claims, key)]


def affiliation_of(values):
    """The one affiliation the product keeps from the values asserted (``eduPersonAffiliation`` is
    multi-valued): the first of faculty, staff, student that they map to, else other."""
    mapped = {settings.SSO_AFFILIATIONS.get(v.lower(), "") for v in values}
    for choice in (Profile.Affiliation.FACULTY, Profile.Affiliation.STAFF, Profile.Affiliation.STUDENT):
        if choice in mapped:
            return choice
    return Profile.Affiliation.OTHER if values else ""


def person_from(claims):
    """The person the claims describe; call ``missing`` first."""
    verified = claims.get(settings.SSO_OIDC_CLAIMS.get("email_verified", ""), False)
    return Person(
        uid=_text(claims, "uid"),
        given_name=_text(claims, "given_name"),
        family_name=_text(claims, "family_name"),
        email=_text(claims, "email"),
        email_verified=verified is True or str(verified).lower() == "true",
        affiliation=affiliation_of(_values(claims, "affiliation")),
        student_id=_text(claims, "student_id"),
        unit=_text(claims, "unit"),
        entitlements=tuple(_values(claims, "entitlements")),
    )
