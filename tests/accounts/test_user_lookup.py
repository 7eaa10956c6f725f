"""``User.objects.active_by_email``: the sender lookup inbound email asks of every message (issue 18), written
out in SQL. It must answer exactly as ``filter(email__iexact=..., is_active=True)`` does."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_address_is_found_in_any_letter_case_with_every_field_read():
    user = UserFactory(email="alice.nowak@acme.test", full_name="Alice Nowak", language="pl", is_staff=True)
    with CaptureQueriesContext(connection) as seen:
        found = User.objects.active_by_email("Alice.NOWAK@Acme.Test")
    assert len(seen.captured_queries) == 1
    assert found == user
    assert (found.full_name, found.language, found.is_staff, found.email) == (
        "Alice Nowak",
        "pl",
        True,
        "alice.nowak@acme.test",
    )
    assert found._state.adding is False and found._state.db == "default"


def test_an_inactive_or_unknown_address_is_nobody():
    UserFactory(email="gone@acme.test", is_active=False)
    assert User.objects.active_by_email("gone@acme.test") is None
    assert User.objects.active_by_email("nobody@acme.test") is None
    assert User.objects.active_by_email("") is None


def test_wildcards_in_an_address_are_letters_not_patterns():
    # "_" and "%" are legal in an address's local part; on SQLite iexact is a LIKE, where they are patterns.
    UserFactory(email="ops_team@acme.test")
    UserFactory(email="opsxteam@acme.test")
    assert User.objects.active_by_email("ops_team@acme.test").email == "ops_team@acme.test"
    assert User.objects.active_by_email("ops%@acme.test") is None
    assert User.objects.active_by_email("OPSXTEAM@acme.test").email == "opsxteam@acme.test"
