"""Deep pages read keys first, then rows: the same pages, in the same order, as plain paging."""

import pytest
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.paging import KeysFirstPaginator

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    User = get_user_model()
    User.objects.bulk_create([User(username=f"p{n:03}", last_name=f"{n % 7}") for n in range(53)])
    return User.objects.filter(username__startswith="p").order_by("last_name", "-username")


def test_every_page_holds_the_rows_plain_paging_gives_in_their_order(people):
    plain, keys_first = Paginator(people, 10, orphans=3), KeysFirstPaginator(people, 10, orphans=3)
    assert keys_first.num_pages == plain.num_pages == 5
    for number in plain.page_range:
        assert [u.username for u in keys_first.page(number)] == [u.username for u in plain.page(number)]
    assert len(keys_first.page(5)) == 13  # the orphans join the last page
    assert keys_first.get_page("junk").number == 1 and keys_first.get_page(99).number == 5


def test_a_page_is_its_keys_then_its_rows(people):
    paginator = KeysFirstPaginator(people, 10)
    paginator.count  # noqa: B018
    with CaptureQueriesContext(connection) as queries:
        page = list(paginator.page(3))
    assert len(page) == 10 and len(queries) == 2
    assert 'SELECT "auth_user"."id" AS "pk"' in queries[0]["sql"] and "OFFSET 20" in queries[0]["sql"]
