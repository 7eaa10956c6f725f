"""Where you are signed in (issue 14; ASVS 3.3.4): the profile lists the person's own sessions (address,
browser, last seen in their time zone with the zone named, "this session") and signs out everywhere else."""

import pytest
from django.test import Client

from accounts.models import AuditEvent
from tests.accounts.factories import PASSWORD
from tests.helpers import element_text, sign_in_with_code, text, visible_text

pytestmark = pytest.mark.django_db
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:135.0) Gecko/20100101 Firefox/135.0"
CHROME_MAC = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/133.0.0.0 Safari/537.36"
)


def browser(address: str, agent: str) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_USER_AGENT=agent)


def test_the_profile_lists_only_my_sessions_this_one_named_times_in_my_zone(world, frozen):
    frozen("2026-05-11 10:00")  # 12:00 in Warsaw (Alice's zone), summer time
    desk, laptop, bobs = (
        browser("203.0.113.7", FIREFOX),
        browser("198.51.100.20", CHROME_MAC),
        browser("192.0.2.99", FIREFOX),
    )
    for client, email in ((desk, "alice@acme.test"), (laptop, "alice@acme.test"), (bobs, "bob@globex.test")):
        sign_in_with_code(client, email, PASSWORD)

    page = desk.get("/profile/")
    sessions = visible_text(element_text(text(page), "sessions"))

    assert "203.0.113.7" in sessions and "198.51.100.20" in sessions
    assert "192.0.2.99" not in sessions  # Bob's
    assert "Firefox on Linux (this session)" in sessions
    assert "Chrome on macOS" in sessions and "Chrome on macOS (this session)" not in sessions
    assert "Last seen (Europe/Warsaw)" in sessions
    assert "11 May 2026 12:00 CEST" in sessions


def test_sign_out_everywhere_else_ends_my_other_sessions_only_audited(world):
    desk, laptop, bobs = (
        browser("203.0.113.7", FIREFOX),
        browser("198.51.100.20", CHROME_MAC),
        browser("192.0.2.99", FIREFOX),
    )
    for client, email in ((desk, "alice@acme.test"), (laptop, "alice@acme.test"), (bobs, "bob@globex.test")):
        sign_in_with_code(client, email, PASSWORD)
    assert laptop.get("/a/acme/").status_code == 200

    response = desk.post("/profile/sessions/end-others/")

    assert response["Location"] == "/profile/"
    assert "Signed out of 1 other session(s)." in visible_text(desk.get("/profile/"))
    assert laptop.get("/a/acme/")["Location"] == "/login/?next=/a/acme/"  # the laptop is signed out
    assert desk.get("/a/acme/").status_code == 200  # this session goes on
    assert bobs.get("/a/globex/").status_code == 200  # nobody else's
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.SESSIONS_ENDED)
    assert (event.actor, event.details) == (world.alice, {"sessions": 1, "addresses": ["198.51.100.20"]})


def test_with_one_session_there_is_nothing_to_sign_out_of(client, world):
    sign_in_with_code(client, "alice@acme.test", PASSWORD)
    page = client.get("/profile/")
    assert 'data-testid="end-other-sessions"' not in text(page)
    assert "(this session)" in element_text(text(page), "sessions")
