"""The institution's attributes read into a ``core.people.Person``, through the maps in settings
(``SSO_OIDC_CLAIMS`` for OpenID Connect's claims, ``SSO_SAML_ATTRIBUTES`` for SAML's attributes):
which one carries the given name, the student ID, the affiliation … Configuration, not code,
decides what each institution's identity provider calls them."""

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


def attribute_map(protocol):
    """The map for ``"oidc"`` or ``"saml"``."""
    return settings.SSO_SAML_ATTRIBUTES if protocol == "saml" else settings.SSO_OIDC_CLAIMS


def _values(claims, key, mapping=None):
    """Every value the claim mapped to ``key`` carries (one or several), trimmed, blanks left out."""
    name = (mapping or settings.SSO_OIDC_CLAIMS).get(key)
    value = claims.get(name) if name else None
    values = value if isinstance(value, list | tuple) else [] if value is None else [value]
    return [text for v in values if (text := str(v).strip())]


def _text(claims, key, mapping=None):
    values = _values(claims, key, mapping)
    return values[0] if values else ""


def missing(claims, mapping=None):
    """What the institution left out of what an account needs, as the refusal page names it."""
    return [label for key, label in REQUIRED.items() if not _text(claims, key, mapping)]


def affiliation_of(values):
    """The one affiliation the product keeps from the values asserted (``eduPersonAffiliation`` is
    multi-valued): the first of faculty, staff, student that they map to, else other."""
    mapped = {settings.SSO_AFFILIATIONS.get(v.lower(), "") for v in values}
    for choice in (Profile.Affiliation.FACULTY, Profile.Affiliation.STAFF, Profile.Affiliation.STUDENT):
        if choice in mapped:
            return choice
    return Profile.Affiliation.OTHER if values else ""


def person_from(claims, mapping=None):
    """The person the claims (or SAML attributes) describe, read through ``mapping`` (default:
    OpenID Connect's); call ``missing`` first."""
    mapping = mapping or settings.SSO_OIDC_CLAIMS
    verified = _text(claims, "email_verified", mapping)
    return Person(
        uid=_text(claims, "uid", mapping),
        given_name=_text(claims, "given_name", mapping),
        family_name=_text(claims, "family_name", mapping),
        email=_text(claims, "email", mapping),
        email_verified=verified.lower() in {"true", "1", "yes"},
        affiliation=affiliation_of(_values(claims, "affiliation", mapping)),
        student_id=_text(claims, "student_id", mapping),
        unit=_text(claims, "unit", mapping),
        entitlements=tuple(_values(claims, "entitlements", mapping)),
    )
