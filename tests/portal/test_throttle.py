"""Throttling sign-in and password reset by the client's address behind our proxies (AXES_PROXY_COUNT)."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests.helpers import text

pytestmark = pytest.mark.django_db


def log_in(client, email: str, password: str, *, ip: str):
    # The test client's REMOTE_ADDR is the proxy's; the client is the entry the proxy appended.
    return client.post("/login/", {"username": email, "password": password}, HTTP_X_FORWARDED_FOR=ip)


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_failures_from_one_address_do_not_lock_the_person_out_elsewhere(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "alice@acme.test", "guess-guess-guess", ip="198.51.100.66")

    locked = log_in(client, "alice@acme.test", world.password, ip="198.51.100.66")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in text(locked)

    # Alice at her own desk signs in: the attacker's failures locked the attacker's address only.
    assert log_in(client, "alice@acme.test", world.password, ip="203.0.113.7").status_code == 302
    assert signed_in_user_id(client) == str(world.alice.pk)


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_the_lock_cannot_be_dodged_by_writing_a_forwarded_for_header(client, world):
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "alice@acme.test", "guess-guess-guess", ip=f"10.9.9.{n}, 198.51.100.66")

    response = log_in(client, "alice@acme.test", world.password, ip="1.2.3.4, 198.51.100.66")

    assert response.status_code == 429
    assert signed_in_user_id(client) is None


@override_settings(PROXY_COUNT=1)
def test_behind_a_proxy_the_lockout_records_the_client_address(client, world):
    from axes.models import AccessAttempt

    log_in(client, "alice@acme.test", "guess-guess-guess", ip="198.51.100.66")

    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["198.51.100.66"]
