"""Who holds a micro-credential: the office (and the unit's evaluators) find any holder, export the
list, and the office revokes from the row, in a constant number of queries however many there are."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from badges.models import Award
from tests.badges import test_issuing

pytestmark = pytest.mark.django_db

issuer_key, achievement, issued = test_issuing.issuer_key, test_issuing.achievement, test_issuing.issued


def more_holders(achievement, count, start=0):
    people = get_user_model().objects
    for n in range(start, start + count):
        learner = people.create(
            username=f"holder-{n}",
            first_name="Ada" if n % 2 else "=cmd|' /C calc'!A0",
            last_name=f"Holder{n}",
            email=f"holder{n}@example.org",
        )
        Award.objects.create(
            learner=learner, achievement=achievement, state=Award.State.ISSUED, status_index=50_000 + n
        )


def holders_page(client, achievement, **query):
    return client.get(reverse("badges:holders", args=[achievement.uuid]), query)


def test_the_office_finds_a_holder_by_name_and_state(client, demo, issued, achievement):
    more_holders(achievement, 3)
    client.force_login(demo["office"])

    everyone = holders_page(client, achievement).content.decode()
    found = holders_page(client, achievement, q=demo["learner"].last_name).content.decode()
    revoked = holders_page(client, achievement, state="revoked").content.decode()

    assert 'data-count="4"' in everyone and "Revoke…" in everyone
    assert 'data-count="1"' in found and str(issued.public_id) in found
    assert 'data-count="0"' in revoked


def test_the_units_evaluator_sees_the_holders_but_revokes_nothing(client, demo, issued, achievement):
    client.force_login(demo["evaluator"])

    page = holders_page(client, achievement)

    assert page.status_code == 200 and "Revoke…" not in page.content.decode()


@pytest.mark.parametrize("who", ["learner", "faculty"])
def test_others_may_not_see_who_holds_it(client, demo, achievement, who):
    client.force_login(demo[who])

    assert holders_page(client, achievement).status_code == 403


def test_the_export_holds_every_match_with_formulas_neutralised(client, demo, issued, achievement):
    more_holders(achievement, 2)
    client.force_login(demo["office"])

    response = holders_page(client, achievement, format="csv")

    text = response.content.decode()
    assert response["Content-Disposition"].startswith('attachment; filename="holders-')
    assert text.count("\r\n") == 4  # the header and three holders
    assert "'=cmd" in text and "\r\n=cmd" not in text


def test_revoking_from_the_row_returns_to_the_filtered_list(client, demo, issued, achievement):
    client.force_login(demo["office"])
    url = reverse("badges:revoke", args=[issued.public_id])

    refused = client.post(url, {"reason": "", "holders": "state=issued"})
    issued.refresh_from_db()
    assert issued.state == Award.State.ISSUED
    assert refused["Location"] == reverse("badges:holders", args=[achievement.uuid]) + "?state=issued"

    done = client.post(url, {"reason": "Issued in error.", "holders": "state=issued&q=x\r\nSet-Cookie: a"})
    issued.refresh_from_db()
    assert issued.state == Award.State.REVOKED and issued.revoked_reason == "Issued in error."
    assert done["Location"].startswith(reverse("badges:holders", args=[achievement.uuid]) + "?state=issued")
    assert "\n" not in done["Location"]


def test_the_page_reads_the_same_queries_for_ten_holders_as_for_fifty(client, demo, achievement):
    client.force_login(demo["office"])
    more_holders(achievement, 10)
    with CaptureQueriesContext(connection) as few:
        holders_page(client, achievement)
    more_holders(achievement, 40, start=10)
    with CaptureQueriesContext(connection) as many:
        holders_page(client, achievement)

    assert len(many) == len(few)
