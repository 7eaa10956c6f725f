"""Session timeouts (issue 14; ASVS 3.3.1 idle, 3.3.2 absolute): staff 30 minutes idle and 12 hours at most,
customers what their account admin chose. htmx polls are not activity; an expired htmx request gets
``HX-Redirect``; views that need no sign-in are untouched."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages

from accounts.models import Account, AuditEvent
from tests.helpers import HTMX, login_url, visible_text

pytestmark = pytest.mark.django_db

POLL = HTMX | {"X-Portal-Poll": "1"}
START = "2026-03-02 08:00"


@pytest.fixture
def clock(frozen):
    """``clock(minutes)``: that many minutes after START (the sign-in)."""
    start = frozen(START)
    return lambda minutes: frozen(start + timedelta(minutes=minutes))


def signed_out(response, path: str) -> bool:
    return response.status_code == 302 and response["Location"] == login_url(path)


def test_staff_stay_signed_in_after_29_idle_minutes(client, world, clock):
    clock(0)
    client.force_login(world.sam)
    clock(29)
    assert client.get("/console/").status_code == 200


def test_staff_are_signed_out_after_31_idle_minutes_and_told_why(client, world, clock, english):
    clock(0)
    client.force_login(world.sam)
    clock(10)
    assert client.get("/console/").status_code == 200
    clock(10 + 31)
    response = client.get("/console/?q=acme")
    assert signed_out(response, "/console/?q=acme")  # next kept
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity." in visible_text(page)
    assert client.get("/console/").status_code == 302  # and stays signed out


def test_the_message_is_polish_for_a_polish_user(client, world, clock):
    world.sam.language = "pl"
    world.sam.save()
    clock(0)
    client.force_login(world.sam)
    clock(31)
    response = client.get("/console/")
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Wylogowano Cię po 30 minutach bez aktywności. Zaloguj się, aby kontynuować."
    ]


def test_polls_do_not_count_as_activity(client, world, clock):
    """A forgotten case page polls every 30 seconds; it must still time out."""
    clock(0)
    client.force_login(world.tina)
    for minute in range(1, 30):
        assert client.get("/console/", headers=POLL).status_code == 200
        clock(minute)
    clock(31)
    response = client.get("/console/", headers=POLL | {"HX-Current-URL": "http://testserver/a/acme/cases/"})
    assert response.status_code == 200 and response["HX-Redirect"] == login_url("/a/acme/cases/")
    assert "_auth_user_id" not in client.session


def test_a_click_is_activity(client, world, clock):
    clock(0)
    client.force_login(world.tina)
    clock(20)
    assert client.get("/console/", headers=HTMX).status_code == 200  # a search typed into the console
    clock(45)
    assert client.get("/console/").status_code == 200


def test_an_expired_htmx_request_is_sent_to_login_not_swapped(client, world, clock):
    clock(0)
    client.force_login(world.sam)
    clock(40)
    response = client.get("/console/", headers=HTMX | {"HX-Current-URL": "http://testserver/console/?q=a"})
    assert response["HX-Redirect"] == login_url("/console/?q=a")
    assert b"<form" not in response.content


def test_staff_sign_in_again_after_12_hours_however_active(client, world, clock, english):
    clock(0)
    client.force_login(world.tina)
    for minute in range(20, 12 * 60, 20):
        clock(minute)
        assert client.get("/console/").status_code == 200, minute
    clock(12 * 60 + 1)
    response = client.get("/console/")
    assert signed_out(response, "/console/")
    assert "a sign-in lasts at most 12 hours" in visible_text(client.get(response["Location"]))


def test_a_new_sign_in_starts_the_clocks_again(client, world, clock):
    clock(0)
    client.force_login(world.tina)
    clock(12 * 60 - 5)
    client.force_login(world.tina)  # the same person signs in again in the same browser
    clock(12 * 60 + 5)
    assert client.get("/console/").status_code == 200


def test_customers_get_the_default_of_8_hours(client, world, clock):
    clock(0)
    client.force_login(world.arthur)
    clock(7 * 60 + 59)
    assert client.get("/a/acme/").status_code == 200
    clock(7 * 60 + 59 + 8 * 60 + 1)
    assert signed_out(client.get("/a/acme/"), "/a/acme/")


def test_the_account_admins_choice_is_honoured(client, world, clock, english):
    clock(0)
    client.force_login(world.alice)
    response = client.post("/a/acme/team/sessions/", {"session_idle_minutes": "15", "session_max_hours": "8"})
    assert response.status_code == 302
    world.acme.refresh_from_db()
    assert (world.acme.session_idle_minutes, world.acme.session_max_hours) == (15, 8)
    event = AuditEvent.objects.get(account=world.acme, kind=AuditEvent.Kind.ACCOUNT_CHANGED)
    assert event.actor == world.alice
    assert event.details["changes"]["session_idle_minutes"] == {"before": 480, "after": 15}

    arthur = client.__class__()
    arthur.force_login(world.arthur)
    clock(14)
    assert arthur.get("/a/acme/").status_code == 200
    clock(14 + 16)
    response = arthur.get("/a/acme/")
    assert signed_out(response, "/a/acme/")
    assert "You were signed out after 15 minutes without activity." in visible_text(arthur.get(response["Location"]))
    # Bob's company kept the default: 16 idle minutes are nothing to him.
    bob = client.__class__()
    bob.force_login(world.bob)
    clock(14 + 16 + 16)
    assert bob.get("/a/globex/").status_code == 200


def test_the_absolute_limit_of_the_account_is_honoured(client, world, clock):
    Account.objects.filter(pk=world.acme.pk).update(session_max_hours=8)
    clock(0)
    client.force_login(world.arthur)
    for minute in range(60, 8 * 60, 60):
        clock(minute)
        assert client.get("/a/acme/").status_code == 200
    clock(8 * 60 + 1)
    assert signed_out(client.get("/a/acme/"), "/a/acme/")


def test_someone_on_two_teams_gets_the_strictest(client, world, clock):
    from tests.accounts.factories import MembershipFactory

    MembershipFactory(account=world.globex, user=world.arthur, role="member")
    Account.objects.filter(pk=world.globex.pk).update(session_idle_minutes=30)
    clock(0)
    client.force_login(world.arthur)
    clock(31)
    assert signed_out(client.get("/a/acme/"), "/a/acme/")


@pytest.mark.parametrize("role", ["arthur", "bob", "tina", "sam", "root"])
def test_only_the_account_admin_sets_the_limits(client, world, role):
    """A member, another company's admin and staff (Acme's TAM included): the 404 of a missing page."""
    client.force_login(getattr(world, role))
    assert client.get("/a/acme/team/sessions/").status_code == 404
    data = {"session_idle_minutes": "10080", "session_max_hours": "336"}
    assert client.post("/a/acme/team/sessions/", data).status_code == 404
    world.acme.refresh_from_db()
    assert (world.acme.session_idle_minutes, world.acme.session_max_hours) == (480, 168)
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.ACCOUNT_CHANGED).exists()


def test_the_form_refuses_a_value_not_offered(client, world):
    client.force_login(world.alice)
    response = client.post("/a/acme/team/sessions/", {"session_idle_minutes": "5", "session_max_hours": "8"})
    assert response.status_code == 200
    world.acme.refresh_from_db()
    assert world.acme.session_idle_minutes == 480


def test_the_team_page_shows_the_admin_the_limits(client, world, english):
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/team/"))
    assert "Sign-in limits : signed out after 8 hours without activity, and after 7 days at most." in page
    client.force_login(world.arthur)
    assert "Sign-in limits" not in visible_text(client.get("/a/acme/team/"))


def test_views_without_sign_in_are_not_touched(client, world, clock):
    """The health check (like the token APIs and webhooks) neither signs anyone out nor counts as activity."""
    clock(0)
    client.force_login(world.sam)
    clock(31)
    assert client.get("/healthz").status_code in {200, 503}
    assert "_auth_user_id" in client.session
    assert signed_out(client.get("/console/"), "/console/")


def test_every_poll_in_the_templates_says_it_is_a_poll():
    """Each element polled with ``hx-trigger="every ..."`` sends the header that keeps it from counting as
    activity; a new poll without it would keep a forgotten tab signed in for ever."""
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    polls = []
    for path in root.glob("*/templates/**/*.html"):
        for tag in re.findall(r"<[a-z]+\b[^>]*hx-trigger=\"every [^>]*>", path.read_text()):
            polls.append((path.name, '"X-Portal-Poll": "1"' in tag))
    assert len(polls) >= 6
    assert [name for name, marked in polls if not marked] == []
