"""No page a learner, an employer (anyone), an evaluator or the registrar sees names anybody by their
login name: every demo account gets a login name no text would hold by chance, and a crawl of the
pages each of them reaches looks for all of them."""

import re
from urllib.parse import urldefrag

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = pytest.mark.django_db

SKIP = re.compile(
    r"^/(admin|accounts/logout|static|media)|\.(png|svg|json|csv|pdf|xlsx|ics)$|/(file|download)/"
)
LINK = re.compile(r'href="(/[^"#]*)"')
MOST_PAGES = 250


def crawl(client, start):
    seen, queue, pages = set(), list(start), {}
    while queue and len(pages) < MOST_PAGES:
        url = urldefrag(queue.pop(0).replace("&amp;", "&"))[0]
        if url in seen or SKIP.search(url.split("?")[0]):
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages[url] = html
        queue.extend(link for link in LINK.findall(html) if link not in seen)
    return pages


def test_no_page_names_anyone_by_their_login_name(settings, tmp_path):
    from microcred.demo import seed_demo

    settings.ISSUER_KEY_DIR = tmp_path / "keys"
    seed_demo(with_proposals=True)
    people = {user.username: user for user in get_user_model().objects.all()}
    logins = []
    for user in people.values():
        user.username = f"zqlogin{user.pk}x"
        user.save(update_fields=["username"])
        logins.append(user.username)
    found, crawled = {}, 0
    for role in ("learner", "registrar", "evaluator", None):
        client = Client()
        start = ["/badges/catalog/", "/badges/verify/"]
        if role:
            client.force_login(people[role])
            start = ["/", "/badges/mine/", "/badges/evidence/", "/registrar/", "/badges/names/", *start]
        pages = crawl(client, start)
        crawled += len(pages)
        for url, html in pages.items():
            for login in logins:
                if login in html:
                    found.setdefault(login, []).append(f"{role or 'anyone'} {url}")
    assert crawled > 40  # the crawl reached the pages, not only the start
    assert found == {}


def test_the_sign_in_messages_name_the_person_not_their_login(db):
    from allauth.account.utils import user_display

    user = get_user_model().objects.create_user("zqlogin-msg", first_name="Maya", last_name="Okafor")

    assert user_display(user) == "Maya Okafor"
