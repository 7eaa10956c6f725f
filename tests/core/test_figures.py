"""core.figures: several aggregates of QuerySets in one statement (issue 18)."""

import pytest
from django.db import connection

from accounts.models import OutboundEmail
from core.figures import any_of, figures
from tests.accounts.factories import OutboundEmailFactory

pytestmark = pytest.mark.django_db


def test_over_no_rows_a_count_is_0_a_minimum_none_and_nothing_exists(django_assert_num_queries):
    rows = OutboundEmail.objects.all()
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):  # SQLite: one each
        found = figures(
            n=("COUNT", rows.values("pk")),
            first=("MIN", rows.values("created_at")),
            some=("EXISTS", rows.values("pk")),
            none=("NOT EXISTS", rows.values("pk")),
        )
    assert found == {"n": 0, "first": None, "some": False, "none": True}


def test_each_figure_keeps_its_querysets_filter():
    OutboundEmailFactory(status=OutboundEmail.Status.SENT)
    pending = OutboundEmailFactory(status=OutboundEmail.Status.PENDING)
    rows = OutboundEmail.objects.all()
    found = figures(
        all=("COUNT", rows.values("pk")),
        pending=("COUNT", rows.filter(status=OutboundEmail.Status.PENDING).values("pk")),
        last=("MAX", rows.filter(status=OutboundEmail.Status.PENDING).values("created_at")),
    )
    assert found == {"all": 2, "pending": 1, "last": pending.created_at}
    assert any_of(("NOT EXISTS", rows.values("pk")), ("EXISTS", rows.filter(pk=pending.pk).values("pk")))
    assert not any_of(("EXISTS", rows.filter(pk=-1).values("pk")))


def test_an_aggregate_it_does_not_know_is_refused():
    with pytest.raises(ValueError, match="not an aggregate"):
        figures(x=("SUM); DROP TABLE x; --", OutboundEmail.objects.values("pk")))
