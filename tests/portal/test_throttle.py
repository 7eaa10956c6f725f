"""Throttling sign-in and password reset by the client's address behind our proxies (AXES_PROXY_COUNT)."""

import inspect
from smtplib import SMTPServerDisconnected

import pytest
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail.backends import locmem
from django.test import override_settings

from accounts.models import OutboundEmail
from accounts.outbox import outbox_drain
from portal.auth import RESETS_PER_CLIENT_PER_HOUR, RESETS_PER_EMAIL_PER_HOUR, InvitePasswordResetForm
from tests.helpers import text, without_csrf

pytestmark = pytest.mark.django_db


def log_in(client, email: str, password: str, *, ip: str):
    # The test client's REMOTE_ADDR is the proxy's; the client is the entry the proxy appended.
    return client.post("/login/", {"login": email, "password": password}, HTTP_X_FORWARDED_FOR=ip)


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


# --- password reset ------------------------------------------------------------------------------


class RefusingBackend(locmem.EmailBackend):
    """The mail server is down."""

    def send_messages(self, messages):
        raise SMTPServerDisconnected("Connection unexpectedly closed")


def ask_reset(client, email: str, *, ip: str = "203.0.113.7"):
    return client.post("/password/reset/", {"email": email}, HTTP_X_FORWARDED_FOR=ip, follow=True)


@override_settings(PROXY_COUNT=1)
def test_fifteen_resets_in_a_row_send_three_emails_and_answer_the_same_page(client, world, mailoutbox):
    first = ask_reset(client, "alice@acme.test")
    answers = [ask_reset(client, "alice@acme.test", ip=f"198.51.100.{n}") for n in range(14)]

    assert all(a.redirect_chain == first.redirect_chain == [("/password/reset/sent/", 302)] for a in answers)
    assert {without_csrf(a) for a in answers} == {without_csrf(first)}
    assert outbox_drain() == RESETS_PER_EMAIL_PER_HOUR == 3
    assert {tuple(mail.to) for mail in mailoutbox} == {("alice@acme.test",)}


@override_settings(PROXY_COUNT=1)
def test_one_address_asking_for_many_people_is_limited(client, world, mailoutbox):
    people = ["alice@acme.test", "arthur@acme.test", "bob@globex.test"] + [f"x{n}@acme.test" for n in range(10)]
    for email in people:
        ask_reset(client, email, ip="198.51.100.66")
    ask_reset(client, "bob@globex.test", ip="203.0.113.7")  # someone else, elsewhere, is not held up

    outbox_drain()

    assert sorted(mail.to[0] for mail in mailoutbox) == [
        "alice@acme.test",
        "arthur@acme.test",
        "bob@globex.test",
        "bob@globex.test",
    ]
    assert RESETS_PER_CLIENT_PER_HOUR == 5


def test_the_limit_opens_again_after_an_hour(client, world, mailoutbox, frozen):
    frozen("2025-03-03 09:00")
    for _ in range(RESETS_PER_EMAIL_PER_HOUR + 1):
        ask_reset(client, "alice@acme.test")
    frozen("2025-03-03 10:01")
    ask_reset(client, "alice@acme.test")

    assert outbox_drain() == RESETS_PER_EMAIL_PER_HOUR + 1


def test_a_reset_email_the_mail_server_refused_is_retried_not_reported_sent(client, world, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.portal.test_throttle.RefusingBackend"
    ask_reset(client, "alice@acme.test")

    assert outbox_drain() == 0

    row = OutboundEmail.objects.get(kind="account.password_reset")
    assert (row.status, row.attempts, row.to) == (OutboundEmail.Status.PENDING, 1, ["alice@acme.test"])
    assert "SMTPServerDisconnected" in row.last_error
    assert "/password/reset/" not in row.body  # the link is made when the email leaves, never stored
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    OutboundEmail.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
    assert outbox_drain() == 1
    assert "/password/reset/" in mailoutbox[0].body


def test_the_reset_email_is_sent_through_the_outbox_only():
    """No second way to send it: Django's own sending path (send_mail with its templates) is not used."""
    assert "send_mail" not in inspect.getsource(InvitePasswordResetForm)
    assert InvitePasswordResetForm.send_mail is PasswordResetForm.send_mail  # not overridden: never called
    assert "save" in InvitePasswordResetForm.__dict__
