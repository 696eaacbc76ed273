"""Sharing an award: the learner's LinkedIn add-to-profile and share links, and the Open Graph tags
that make a shared link of the public page show the badge and its name."""

import html as html_module
import json
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from badges.issuing import services
from badges.models import Award
from tests.badges import test_issuing

pytestmark = pytest.mark.django_db

# The awards tests' fixtures: a signing key, a published achievement, an award issued with that key.
issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued


def page(client, award):
    return client.get(reverse("badges:award", args=[award.public_id])).content.decode()


def links(html):
    """The LinkedIn links of a page, by their text."""
    found = re.findall(r'<a [^>]*href="(https://www\.linkedin\.com/[^"]+)"[^>]*>([^<]+)<', html)
    return {text: html_module.unescape(href) for href, text in found}


def query(url):
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", {k: v[0] for k, v in parse_qs(parts.query).items()}


def meta(html):
    """The page's Open Graph (property=) and Twitter (name=) tags."""
    head = html.split("</head>")[0]
    tags = re.findall(r'<meta (?:property|name)="((?:og|twitter):[^"]+)" content="([^"]*)">', head)
    return {name: html_module.unescape(content) for name, content in tags}


def test_the_learner_gets_an_add_to_linkedin_link_with_the_certification_filled_in(client, demo, issued):
    client.force_login(demo["learner"])
    html = page(client, issued)
    found = links(html)
    base, params = query(found["Add to LinkedIn profile"])
    credential = json.loads(issued.credential.json)
    issued_at = timezone.localtime(issued.issued_at)
    assert base == "https://www.linkedin.com/profile/add"
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": issued.achievement.name,
        "organizationName": "Binghamton University",
        "issueYear": str(issued_at.year),
        "issueMonth": str(issued_at.month),
        "certUrl": f"https://microcred.example.edu/badges/awards/{issued.public_id}/",
        "certId": credential["id"],
    }
    assert params["certUrl"] == issued.public_url and params["certId"] == f"urn:uuid:{issued.credential_uuid}"
    base, params = query(found["Share on LinkedIn"])
    assert base == "https://www.linkedin.com/sharing/share-offsite/" and params == {"url": issued.public_url}
    # Both open in a new tab that cannot reach back into this page.
    for anchor in re.findall(r"<a [^>]*linkedin\.com[^>]*>", html):
        assert 'target="_blank"' in anchor and 'rel="noopener"' in anchor


def test_the_link_is_encoded_and_carries_the_expiry_and_the_linkedin_page_when_set(issued, settings):
    from badges.integrations.sharing import add_to_profile_url

    settings.LINKEDIN_ORGANIZATION_ID = "1234567"
    Award.objects.filter(pk=issued.pk).update(valid_until=timezone.now() + timedelta(days=400))
    issued.refresh_from_db()
    issued.achievement.name = "Data & Society: 100% real?"
    url = add_to_profile_url(issued, credential_id="urn:uuid:x")
    assert " " not in url and "&Society" not in url
    _base, params = query(url)
    expires = timezone.localtime(issued.valid_until)
    assert params["name"] == "Data & Society: 100% real?"
    assert params["organizationId"] == "1234567" and "organizationName" not in params
    assert (params["expirationYear"], params["expirationMonth"]) == (str(expires.year), str(expires.month))


def test_only_the_learner_sees_the_linkedin_links(client, demo, issued):
    assert links(page(client, issued)) == {}
    for other in ("coauthor", "office", "evaluator"):
        client.force_login(demo[other])
        assert links(page(client, issued)) == {}, other


def test_no_linkedin_links_for_a_revoked_award(client, demo, issued):
    services.revoke(award=issued, user=demo["office"], reason="Issued in error.")
    client.force_login(demo["learner"])
    assert links(page(client, issued)) == {}


def test_no_linkedin_links_for_an_award_signed_by_a_compromised_key(client, demo, issued, issuer_key):
    services.revoke_issuer_key(name=issuer_key.name, reason="Leaked.", rotate=True)
    client.force_login(demo["learner"])
    assert links(page(client, issued)) == {}


def test_the_public_page_has_open_graph_tags_with_an_absolute_image(client, issued):
    tags = meta(page(client, issued))
    image = f"https://microcred.example.edu/badges/achievements/{issued.achievement.uuid}/image.png"
    assert tags["og:title"] == issued.achievement.name == tags["twitter:title"]
    assert tags["og:url"] == issued.public_url
    assert tags["og:type"] == "website" and "Binghamton University" in tags["og:site_name"]
    assert tags["og:image"] == tags["twitter:image"] == image
    assert client.get(urlsplit(image).path)["Content-Type"] == "image/png"
    assert tags["og:image:alt"] == f"Badge: {issued.achievement.name}"
    assert tags["twitter:card"] == "summary"


def test_the_learner_is_named_in_the_tags_only_when_the_award_is_listed(client, demo, issued):
    name = demo["learner"].get_full_name()
    tags = meta(page(client, issued))
    assert "Binghamton University" in tags["og:description"]
    assert name not in json.dumps(tags) and "awarded to" not in tags["og:description"]
    services.set_listed(award=issued, listed=True)
    tags = meta(page(client, issued))
    assert tags["og:description"] == f"Binghamton University: awarded to {name}."


def test_the_award_page_has_no_inline_script_or_style(client, demo, issued):
    client.force_login(demo["learner"])
    html = page(client, issued)
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script[^>]*>", html))
