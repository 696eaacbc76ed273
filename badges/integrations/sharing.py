"""Sharing an award: LinkedIn's add-to-profile and share links for the learner, and the Open Graph
and Twitter card tags that make a shared link of the public page show the badge and its name."""

from urllib.parse import quote, urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from .. import people
from ..issuing import documents, images

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"
LINKEDIN_SHARE = "https://www.linkedin.com/sharing/share-offsite/"


def _linkedin_url(base, params):
    # %20 rather than +: LinkedIn's form shows the values as decoded from the query string.
    return f"{base}?{urlencode(params, quote_via=quote)}"


def add_to_profile_url(award, *, credential_id):
    """LinkedIn's add-to-profile link, its certification form filled in: the achievement's name,
    the institution (by its LinkedIn page when ``LINKEDIN_ORGANIZATION_ID`` is set, else by name),
    the month and year of issue (and of expiry, if it expires), the credential's id and the public
    page where anyone verifies it."""
    params = {"startTask": "CERTIFICATION_NAME", "name": award.achievement.name}
    organization_id = getattr(settings, "LINKEDIN_ORGANIZATION_ID", "")
    if organization_id:
        params["organizationId"] = organization_id
    else:
        params["organizationName"] = documents.institution_name()
    issued = timezone.localtime(award.issued_at)
    params |= {"issueYear": issued.year, "issueMonth": issued.month}
    if award.valid_until:
        expires = timezone.localtime(award.valid_until)
        params |= {"expirationYear": expires.year, "expirationMonth": expires.month}
    params |= {"certUrl": award.public_url, "certId": credential_id}
    return _linkedin_url(LINKEDIN_ADD_TO_PROFILE, params)


def share_url(award):
    """LinkedIn's share link for the award's public page (LinkedIn reads its Open Graph tags)."""
    return _linkedin_url(LINKEDIN_SHARE, {"url": award.public_url})


def linkedin_links(award, credential):
    """Both LinkedIn links of an issued award, given its credential in force (parsed)."""
    return {
        "add_to_profile": add_to_profile_url(award, credential_id=credential["id"]),
        "share": share_url(award),
    }


def open_graph(award, *, status):
    """The Open Graph and Twitter card properties of the award's public page, as (name, content)
    pairs. The learner's name appears only when they list the award publicly; the page itself is
    reachable by its link either way."""
    issuer = documents.institution_name()
    if award.listed:
        learner = people.learner_name(award.learner)
        description = f"{issuer}: awarded to {learner}."
    else:
        description = f"A micro-credential awarded by {issuer}."
    if status == "revoked":
        description += " This award has been revoked."
    elif status == "untrusted":
        description += " Not trustworthy: signed by a key the institution has marked compromised."
    image = documents.absolute(reverse("badges:achievement_image", args=[award.achievement.uuid]))
    title = award.achievement.name
    return {
        "og": [
            ("og:type", "website"),
            ("og:site_name", f"Micro-credentials · {issuer}"),
            ("og:title", title),
            ("og:description", description),
            ("og:url", award.public_url),
            ("og:image", image),
            ("og:image:type", "image/png"),
            ("og:image:width", str(images.SIZE)),
            ("og:image:height", str(images.SIZE)),
            ("og:image:alt", f"Badge: {title}"),
        ],
        "twitter": [
            ("twitter:card", "summary"),
            ("twitter:title", title),
            ("twitter:description", description),
            ("twitter:image", image),
            ("twitter:image:alt", f"Badge: {title}"),
        ],
    }
