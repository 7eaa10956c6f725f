"""Signing in and out, password reset, the language switch, an expired session on htmx, and /healthz.

Split from tests/portal/test_views.py to keep each file short; what the pages show is there.
"""

import re

import pytest
from django.conf import settings

from accounts.models import User
from accounts.outbox import outbox_drain
from tests.helpers import HTMX, text, without_csrf


def log_in(client, email: str, password: str):
    return client.post("/login/", {"login": email, "password": password})


def signed_in_user_id(client) -> str | None:
    return client.session.get("_auth_user_id")


# --- signing in and out -------------------------------------------------------------------------


def test_sign_in_by_email_in_any_case(client, world):
    response = log_in(client, "ALICE@ACME.TEST", world.password)

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user_id(client) == str(world.alice.pk)
    assert client.get("/")["Location"] == "/a/acme/"


def test_wrong_password_is_refused_without_saying_whether_the_address_exists(client, world):
    wrong = log_in(client, "alice@acme.test", "not-her-password")
    unknown = log_in(client, "nobody@acme.test", "not-her-password")

    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "That email and password do not match an account." in text(response)
    assert signed_in_user_id(client) is None


def test_five_failures_lock_the_address_out_even_with_the_right_password(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "alice@acme.test", "guess-guess-guess")

    response = log_in(client, "alice@acme.test", world.password)

    assert response.status_code == 429
    assert "Too many failed sign-ins" in text(response)
    assert signed_in_user_id(client) is None
    # The lock is for that address: a colleague on the same network still signs in.
    assert log_in(client, "arthur@acme.test", world.password).status_code == 302
    assert signed_in_user_id(client) == str(world.arthur.pk)


def test_the_lockout_cannot_be_dodged_by_changing_the_case_of_the_address(client, world):
    """Addresses are case-insensitive when signing in, so they must be when counting failures too."""
    for email in ("alice@acme.test", "Alice@acme.test", "ALICE@acme.test", "alice@ACME.test", "aLiCe@AcMe.TeSt"):
        log_in(client, email, "guess-guess-guess")

    response = log_in(client, "Alice@Acme.Test", world.password)

    assert response.status_code == 429
    assert signed_in_user_id(client) is None


def test_four_failures_do_not_lock_the_address_out(client, world):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "alice@acme.test", "guess-guess-guess")

    assert log_in(client, "alice@acme.test", world.password).status_code == 302
    assert signed_in_user_id(client) == str(world.alice.pk)


def test_log_out_is_a_post(client, world):
    client.force_login(world.alice)
    assert client.get("/logout/").status_code == 405
    assert signed_in_user_id(client) == str(world.alice.pk)

    response = client.post("/logout/")

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert signed_in_user_id(client) is None
    assert client.get("/a/acme/")["Location"] == "/login/?next=/a/acme/"


# --- password reset -----------------------------------------------------------------------------


def test_password_reset_by_email_link(client, world, mailoutbox):
    response = client.post("/password/reset/", {"email": "Alice@Acme.test"}, follow=True)

    assert response.redirect_chain == [("/password/reset/sent/", 302)]
    assert "Check your email" in text(response)
    assert mailoutbox == []  # queued in the outbox, sent by the worker
    assert outbox_drain() == 1
    (mail,) = mailoutbox
    assert mail.to == ["alice@acme.test"]
    assert mail.subject == f"Choose a new password for the {settings.PORTAL_NAME} portal"
    # text/plain only: the template is autoescape-off text, never to be rendered as an HTML alternative
    assert (mail.content_subtype, mail.alternatives) == ("plain", [])
    assert mail.body.startswith("Someone asked to reset the password for this address on the TAM portal.")
    link = re.search(re.escape(settings.PORTAL_BASE_URL) + r"(/password/reset/[^/\s]+/[^/\s]+/)", mail.body).group(1)

    form = client.get(link, follow=True)
    assert "Choose a new password" in text(form)
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "a-brand-new-pass-77", "new_password2": "a-brand-new-pass-77"}
    )
    assert done["Location"] == "/password/reset/complete/"

    assert log_in(client, "alice@acme.test", world.password).status_code == 200  # the old one is gone
    assert log_in(client, "alice@acme.test", "a-brand-new-pass-77").status_code == 302
    assert signed_in_user_id(client) == str(world.alice.pk)
    assert "This link no longer works" in text(client.get(link, follow=True))  # used once


def test_password_reset_for_an_unknown_address_looks_the_same_and_sends_nothing(client, world, mailoutbox):
    known = client.post("/password/reset/", {"email": "alice@acme.test"}, follow=True)
    mailoutbox.clear()

    unknown = client.post("/password/reset/", {"email": "nobody@acme.test"}, follow=True)

    assert unknown.redirect_chain == known.redirect_chain == [("/password/reset/sent/", 302)]
    assert without_csrf(unknown) == without_csrf(known)
    assert outbox_drain() == 1  # alice's, and nothing for nobody
    assert [mail.to for mail in mailoutbox] == [["alice@acme.test"]]


# --- language ------------------------------------------------------------------------------------


def test_language_switch_for_a_visitor_sets_a_cookie(client, world):
    response = client.post("/language/", {"language": "pl", "next": "/login/"})

    assert response.status_code == 302 and response["Location"] == "/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "pl"
    assert '<html lang="pl"' in text(client.get("/login/"))


def test_language_switch_when_signed_in_is_saved_in_the_profile(client, world):
    client.force_login(world.alice)

    response = client.post("/language/", {"language": "pl", "next": "/profile/"})

    assert response["Location"] == "/profile/"
    assert User.objects.get(pk=world.alice.pk).language == "pl"
    # The profile wins over the browser: a new session with an English cookie still gets Polish.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert '<html lang="pl"' in text(client.get("/a/acme/"))


def test_language_switch_ignores_an_unknown_language(client, world):
    client.force_login(world.alice)

    client.post("/language/", {"language": "xx", "next": "/profile/"})

    assert User.objects.get(pk=world.alice.pk).language == ""


# --- an expired session on htmx ------------------------------------------------------------------


def test_expired_session_on_htmx_redirects_the_whole_page_back_to_where_it_was(client, world):
    # STYLE: HX-Redirect to login, not a login page swapped into a fragment.
    response = client.get(
        "/a/acme/panel/tam-card/", headers={**HTMX, "HX-Current-URL": "http://testserver/a/acme/?tab=team"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/login/?next=/a/acme/%3Ftab%3Dteam"
    assert response.content == b""


@pytest.mark.parametrize(
    "current_url", [None, "https://elsewhere.test/a/acme/"], ids=["no-current-url", "other-origin"]
)
def test_expired_session_on_htmx_returns_home_when_the_page_is_unknown(client, world, current_url):
    headers = {**HTMX, "HX-Current-URL": current_url} if current_url else HTMX

    response = client.get("/a/acme/panel/tam-card/", headers=headers)

    assert response["HX-Redirect"] == "/login/?next=/"


# --- health --------------------------------------------------------------------------------------


def test_healthz_reports_database_and_broker_without_a_login(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "no-cache" in response["Cache-Control"]
    body = response.json()
    assert (body["status"], body["database"], body["broker"]) == ("ok", "ok", "ok")
    assert body["worker_last_seen_seconds"] is None  # no worker has reported in this test database


@pytest.mark.skipif(
    not settings.CELERY_BROKER_URL.startswith("redis"), reason="the broker is Redis in CI (make test), not here"
)
def test_healthz_asks_a_redis_broker_over_one_kept_connection_and_sees_it_go_and_come_back(client, db, unused_udp_port):
    """Issue 18: each check opened a new broker connection (as much CPU as the rest of the answer). One client
    is kept per process; a broker that stops answering is a 503 and one that answers again is healthy again."""
    from portal.celery import app

    first, previous = client.get("/healthz"), app.conf.broker_url
    assert first.json()["broker"] == "ok"
    try:
        app.conf.broker_url = f"redis://127.0.0.1:{unused_udp_port}/0"  # nothing listens there
        gone = client.get("/healthz")
        assert gone.status_code == 503 and gone.json()["broker"].startswith("error: ")
    finally:
        app.conf.broker_url = previous
    assert client.get("/healthz").json()["broker"] == "ok"
    from portal import health

    assert health._redis(previous).connection_pool._created_connections == 1  # the same connection every time
