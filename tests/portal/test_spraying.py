"""Password spraying is slowed (issue 14; ASVS 2.2.1): many people tried from one address, and one person tried
from many addresses, on top of axes' lockout of one address+person pair (tests/portal/test_throttle.py).
allauth counts failed sign-ins in Django's cache (settings.ACCOUNT_RATE_LIMITS["login_failed"])."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests.accounts.factories import UserFactory
from tests.helpers import log_in_from, signed_in, text

pytestmark = pytest.mark.django_db
TOO_MANY = "Too many failed sign-in attempts. Wait a few minutes and try again."


def limits() -> tuple[int, int]:
    """(failures per address, failures per person) in their windows, from the setting."""
    per_ip, per_key = settings.ACCOUNT_RATE_LIMITS["login_failed"].split(",")
    assert per_ip.endswith("/ip") and per_key.endswith("/key")
    return int(per_ip.split("/")[0]), int(per_key.split("/")[0])


@override_settings(PROXY_COUNT=1)
def test_many_people_tried_from_one_address_slow_that_address_down(client, world):
    per_ip, _ = limits()
    people = [UserFactory().email for _ in range(per_ip)]
    for email in people:  # one wrong password each: far below axes' lockout of any one person
        assert log_in_from(client, email, "Winter2026!", ip="198.51.100.66").status_code == 200

    held = log_in_from(client, "alice@acme.test", world.password, ip="198.51.100.66")

    assert held.status_code == 200 and TOO_MANY in text(held)
    assert not signed_in(client)
    # Alice at her own desk is not held up by the sprayer's address.
    assert log_in_from(client, "alice@acme.test", world.password, ip="203.0.113.7").status_code == 302
    assert signed_in(client)


@override_settings(PROXY_COUNT=1)
def test_one_person_tried_from_many_addresses_is_slowed_down(client, world):
    _, per_key = limits()
    for n in range(per_key):  # one try from each address: axes (address+person) never locks
        assert log_in_from(client, "arthur@acme.test", f"guess-{n}", ip=f"198.51.100.{n + 1}").status_code == 200

    held = log_in_from(client, "arthur@acme.test", world.password, ip="192.0.2.200")

    assert held.status_code == 200 and TOO_MANY in text(held)
    assert not signed_in(client)
    # Someone else from the same address is not affected.
    assert log_in_from(client, "alice@acme.test", world.password, ip="192.0.2.200").status_code == 302


def test_the_limits_are_the_documented_ones():
    assert limits() == (20, 10)
    assert settings.AXES_FAILURE_LIMIT == 5


@override_settings(PROXY_COUNT=1)
def test_axes_still_locks_a_member_of_staff_out_behind_a_proxy(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in_from(client, "sam@support.test", "guess-guess-guess", ip="198.51.100.66")

    locked = log_in_from(client, "sam@support.test", world.password, ip="198.51.100.66")

    assert locked.status_code == 429 and "Too many failed sign-ins" in text(locked)
    # From another address the password is accepted and the second factor asked for.
    elsewhere = log_in_from(client, "sam@support.test", world.password, ip="203.0.113.7")
    assert elsewhere["Location"] == "/account/two-factor/authenticate/"
