"""Every page a demo role can reach by following links renders: a crawl of the demo site as each role
(GET only, links within the site), failing on any server error."""

import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ROLES = [None, "faculty", "office", "unitreviewer", "gc-chair", "evaluator", "registrar", "learner", "admin"]
SKIP = ("/accounts/logout", "/learners/logout", "/admin/", "/static/", "/media/")


@pytest.fixture
def demo_site(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


@pytest.mark.parametrize("username", ROLES)
def test_every_page_reachable_by_links_renders(client, demo_site, username):
    from django.contrib.auth import get_user_model

    if username:
        client.force_login(get_user_model().objects.get(username=username))
    seen, queue, failures = set(), ["/", "/accounts/login/", "/badges/catalog/"], []
    while queue and len(seen) < 250:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failures.append((path, response.status_code))
            continue
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for href in re.findall(r'href="([^"#]+)', response.content.decode()):
            target = urlsplit(urljoin(path, href.replace("&amp;", "&")))
            if target.netloc or target.scheme not in ("", "http"):
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if not link.startswith(SKIP) and link not in seen:
                queue.append(link)
    assert failures == []
    assert len(seen) > 5
