"""The capped paginator (core/pagination.py): a work queue counts at most ``cap + 1`` rows, and counts them in
no order, so PostgreSQL may read them off any index (issue 18: a TAM's queue at 1,000,000 cases walked
20,000 open cases in the queue's order to count 1,001)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from core.pagination import CappedPaginator
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


class SmallCap(CappedPaginator):
    cap = 3


def test_counts_at_most_one_past_the_cap_in_no_order():
    UserFactory.create_batch(5)
    people = User.objects.order_by("-date_joined", "email")

    with CaptureQueriesContext(connection) as captured:
        paginator = SmallCap(people, 2)
        assert (paginator.count, paginator.capped) == (4, True)

    assert len(captured.captured_queries) == 1
    assert "ORDER BY" not in captured.captured_queries[0]["sql"].upper()


def test_a_short_list_is_counted_exactly_and_pages_keep_their_order():
    first, second = UserFactory(email="b@example.test"), UserFactory(email="a@example.test")
    page = SmallCap(User.objects.filter(pk__in=[first.pk, second.pk]).order_by("email"), 1).get_page(2)

    assert (page.paginator.count, page.paginator.capped) == (2, False)
    assert list(page.object_list) == [first]
