""" "Check now" has a cooldown, past checks can be opened, and SPF findings show their lookup tree (issue 16,
DLV-1). The cooldown is said with the time left and enforced by the server (a second POST, a double click,
htmx or not, starts nothing); past checks are listed with their time in the reader's zone, named, and each
one opens with its own findings; another account's check is a 404 like a missing one.
"""

import datetime as dt

import pytest
import time_machine

from deliverability.models import AuthRun
from tests.deliverability.factories import AuthFindingFactory, AuthRunFactory
from tests.helpers import HTMX, assert_same_404, messages_of, text, visible_text

AUTH = "/a/acme/authentication/"
T0 = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # 10:00 CET in Warsaw, 04:00 EST in New York


@pytest.fixture
def quick_dns(settings, unused_udp_port):
    """ "Check now" runs at once (eager Celery) against a resolver that answers nothing, quickly."""
    settings.AUTH_NAMESERVERS = [f"127.0.0.1:{unused_udp_port}"]
    settings.AUTH_TIMEOUT = 0.05
    settings.AUTH_CHECK_COOLDOWN = 60


def test_check_now_waits_out_its_cooldown_and_says_how_long(
    alice, world, quick_dns, django_capture_on_commit_callbacks
):
    with time_machine.travel(T0, tick=False) as clock:
        with django_capture_on_commit_callbacks(execute=True):
            alice.post(f"{AUTH}check/")
        assert AuthRun.objects.filter(account=world.acme).count() == 1
        page = alice.get(AUTH)
        assert "Checked moments ago: you can check again in 60 seconds." in visible_text(page)
        assert '<button type="submit" disabled>Check now</button>' in text(page)
        assert 'hx-trigger="load delay:60s"' in text(page)  # the button comes back when the time is up
        world.alice.language = "pl"
        world.alice.save(update_fields=["language"])
        polish = visible_text(alice.get(AUTH))
        assert "Sprawdzono przed chwilą: możesz sprawdzić ponownie za 60 sekund." in polish
        world.alice.language = "en"
        world.alice.save(update_fields=["language"])

        clock.shift(20)
        again = alice.post(f"{AUTH}check/", follow=True)  # without htmx
        assert messages_of(again) == ["The DNS was checked moments ago: you can check again in 40 seconds."]
        clock.shift(19)
        over_htmx = alice.post(f"{AUTH}check/", headers=HTMX)  # a double click, or a second tab
        assert "HX-Trigger" not in over_htmx
        assert "you can check again in 21 seconds" in visible_text(over_htmx)
        assert AuthRun.objects.filter(account=world.acme).count() == 1  # enforced by the server

        clock.shift(21)
        with django_capture_on_commit_callbacks(execute=True):
            alice.post(f"{AUTH}check/")
        assert AuthRun.objects.filter(account=world.acme).count() == 2
        later = AuthRun.objects.filter(account=world.acme).order_by("-created_at").first()
        assert later.created_at == T0 + dt.timedelta(seconds=60) and later.trigger == "manual"


def test_the_cooldown_is_per_account(alice, client, world, quick_dns, django_capture_on_commit_callbacks):
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            alice.post(f"{AUTH}check/")
        client.force_login(world.bob)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/a/globex/authentication/check/")
        assert AuthRun.objects.filter(account=world.globex).count() == 1


def past_runs(world):
    """Three finished checks of Acme, a day apart, the middle one failing DMARC; one of Globex."""
    made = []
    for days, status in ((2, "pass"), (1, "fail"), (0, "pass")):
        at = T0 - dt.timedelta(days=days)
        with time_machine.travel(at, tick=False):
            run = AuthRunFactory(account=world.acme, finished_at=at, trigger="schedule")
        AuthFindingFactory(run=run, subject="acme.example", kind="dmarc", status=status, title=f"DMARC {status}")
        made.append(run)
    with time_machine.travel(T0, tick=False):
        theirs = AuthRunFactory(account=world.globex, finished_at=T0)
    return made, theirs


def test_past_checks_are_listed_in_the_readers_zone_and_open_as_they_were(alice, world, django_assert_max_num_queries):
    client = alice
    (first, failing, latest), theirs = past_runs(world)
    with time_machine.travel(T0 + dt.timedelta(hours=1), tick=False):
        with django_assert_max_num_queries(12):
            listing = alice.get(f"{AUTH}history/")
        rows = visible_text(listing)
        assert "10:00 CET · Scheduled" not in rows  # a table, not the page's short list
        assert "1 Dec 10:00 CET Scheduled 1 failing" in rows and "10:00 CET Scheduled All pass" in rows
        assert f'href="{AUTH}history/{failing.pk}/"' in text(listing)
        assert f"/history/{theirs.pk}/" not in text(listing)

        opened = alice.get(f"{AUTH}history/{failing.pk}/")
        shown = visible_text(opened)
        assert "Check of 1 Dec 10:00 CET" in shown and "DMARC fail" in shown and "DMARC pass" not in shown
        assert "This is an earlier check: the records may have changed since." in shown

        page = alice.get(AUTH)  # the page's short history links to each check
        assert f'href="{AUTH}history/{failing.pk}/"' in text(page) and f'href="{AUTH}history/"' in text(page)

        world.tom.timezone = "America/New_York"  # Acme's backup TAM reads New York time
        world.tom.save(update_fields=["timezone"])
        client.force_login(world.tom)
        assert "1 Dec 04:00 EST" in visible_text(client.get(f"{AUTH}history/"))
    client.force_login(world.alice)  # another account's check: like a missing one
    assert_same_404(client, f"{AUTH}history/{theirs.pk}/", f"{AUTH}history/999999/")


def test_a_check_under_way_is_not_a_past_check(alice, world):
    running = AuthRun.objects.create(account=world.acme, status="running")
    assert alice.get(f"{AUTH}history/{running.pk}/").status_code == 404


TREE = {
    "domain": "acme.example",
    "record": "v=spf1 include:big.example mx -all",
    "lookups": 11,
    "void_lookups": 0,
    "crossed": "mx",
    "loops": [],
    "limit": 10,
    "error": "",
    "terms": [
        {
            "term": "include:big.example",
            "cost": 1,
            "lookups": 10,
            "at": 1,
            "void": False,
            "loop": False,
            "crosses": False,
            "error": "",
            "ignored": False,
            "terms": [
                {"term": "include:loop.example", "cost": 1, "lookups": 1, "at": 2, "loop": True, "error": ""},
            ],
        },
        {"term": "mx", "cost": 1, "lookups": 1, "at": 11, "crosses": True, "error": ""},
    ],
}


def test_the_page_shows_the_spf_lookup_tree(alice, world):
    run = AuthRunFactory(account=world.acme)
    AuthFindingFactory(
        run=run, subject="acme.example", kind="spf_from", status="fail", title="SPF", data={"tree": TREE}
    )
    tree = visible_text(alice.get(AUTH)).split("DNS lookups: ", 1)[1]
    assert tree.startswith("11 of 10 allowed · the 11th lookup: mx")
    assert "include:big.example 10 lookups lookup 1 include:loop.example 1 lookup lookup 2 loop: points back" in tree
    assert "mx 1 lookup lookup 11 over the limit of 10: receivers stop here" in tree
