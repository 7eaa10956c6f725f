"""The staff queue's "past a deadline" view (issue 18) is kept in the panel cache until the first deadline still ahead
among its cases passes (``QueueFilter.next_change``), and until any write, like the rest of the queue. Kept or
drawn, it lists exactly the open cases past a deadline, in the queue's order, with the same clocks: checked against
a reference computed from each case's clocks (not its stored ``next_deadline_at``), on accounts in several time
zones with different business hours, at moments pinned with time-machine, one of them exactly a case's deadline.
MISSION: TAM-4 (the staff see what is about to breach and what has), NC-2, CR-2 (the clocks)."""

import re
from datetime import UTC, datetime, time, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.services import user_update_preferences
from cases import services
from cases.badges import badge
from cases.models import Case
from cases.services.clocks import deadlines
from tests.accounts.factories import AccountFactory, BusinessCalendarFactory, MembershipFactory, UserFactory
from tests.cases.conftest import open_case
from tests.helpers import HTMX, text, without_csrf

AT = datetime(2026, 6, 9, 5, 0, tzinfo=UTC)  # a Tuesday: 07:00 in Warsaw, 01:00 in New York, 14:00 in Tokyo
BREACHED = "/console/cases/?view=breached"
ROW = re.compile(
    r'<tr>\s*<td><span class="badge (\w+)" data-testid="clock">([^<:]+).*?'
    r'<a href="/console/cases/[^/]+/">([^<]+)</a>',
    re.S,
)


@pytest.fixture
def cases(world, frozen):
    """Cases of Acme (Warsaw, weekdays 09-17), Globex (New York, 07-19) and Kaisha (Tokyo, 08-12), opened a
    minute apart: business-hours responses, 15-minute callbacks, one paused, one with a resolution proposed."""
    globex_hours = BusinessCalendarFactory(timezone="America/New_York", weekdays=(time(7), time(19)))
    world.globex.support_calendar = globex_hours
    world.globex.save(update_fields=["support_calendar"])
    kaisha = AccountFactory(
        name="Kaisha",
        slug="kaisha",
        primary_tam=world.tina,
        timezone="Asia/Tokyo",
        support_calendar=BusinessCalendarFactory(timezone="Asia/Tokyo", weekdays=(time(8), time(12))),
    )
    kenji = UserFactory(email="kenji@kaisha.test", timezone="Asia/Tokyo")
    MembershipFactory(account=kaisha, user=kenji, role="admin")
    opened = []
    plan = [
        (world.acme, world.alice, {}),
        (world.globex, world.bob, {"critical": True, "callback": True}),
        (kaisha, kenji, {}),
        (world.acme, world.alice, {"critical": True}),
        (world.globex, world.bob, {}),
        (kaisha, kenji, {"critical": True, "callback": True}),
        (world.acme, world.alice, {}),
        (world.globex, world.bob, {}),
        (kaisha, kenji, {}),
    ]
    for i, (account, actor, kw) in enumerate(plan):
        frozen(AT + timedelta(minutes=i))
        opened.append(open_case(world, account=account, actor=actor, subject=f"Case {i}", **kw))
    services.case_wait_on_customer(case=opened[6], actor=world.sam, body="Which pool?")
    services.case_propose_resolution(case=opened[7], actor=world.sam, summary="The relay is fixed.")
    return opened


def reference(user, now) -> list[tuple[str, str, str]]:
    """(number, badge level, badge label) of each open case the person reaches whose earliest running clock ran
    out at ``now``, by that deadline and then the newest first: the view's rule, computed from the clocks."""
    late = []
    for case in Case.objects.visible_to(user).select_related("account"):
        due = deadlines(case).next
        if case.is_open and due is not None and due <= now:
            late.append((due, -case.created_at.timestamp(), case))
    return [(c.number, badge(c, now).level, str(badge(c, now).label)) for *_, c in sorted(late, key=lambda r: r[:2])]


def shown(client) -> list[tuple[str, str, str]]:
    return [(number, level, label.strip()) for level, label, number in ROW.findall(text(client.get(BREACHED)))]


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_view_lists_exactly_the_cases_past_a_deadline_as_the_clock_moves(world, cases, frozen):
    dues = sorted({deadlines(c).next for c in Case.objects.open() if deadlines(c).next})
    assert len(dues) >= 5
    moments = [dues[0] - timedelta(seconds=1)]
    moments += [moment for due in dues for moment in (due, due + timedelta(seconds=1))]  # exactly at each deadline
    moments += [dues[-1] + timedelta(days=3)]
    seen = set()
    for moment in moments:
        frozen(moment)
        for person in (world.sam, world.tina, world.tess):  # everyone, Acme's and Kaisha's TAM, Globex's TAM
            client = _client(person)  # a session idle that long has ended
            expected = reference(person, moment)
            assert shown(client) == expected, (person.email, moment)
            assert shown(client) == expected  # the second answer, from the cache
            seen.update(number for number, *_ in expected)
    assert {c.number for c in cases[:6]} <= seen  # every running clock ran out on the way
    assert cases[6].number not in seen and cases[7].number not in seen  # paused, awaiting an answer


def test_a_case_shows_the_moment_its_deadline_passes(world, cases, frozen):
    first = min(Case.objects.open().exclude(next_deadline_at=None), key=lambda c: c.next_deadline_at)
    frozen(first.next_deadline_at - timedelta(seconds=1))
    sam = _client(world.sam)
    assert shown(sam) == []
    assert shown(sam) == []  # kept
    frozen(first.next_deadline_at)
    assert [number for number, *_ in shown(sam)] == [first.number]


def test_the_second_load_is_served_from_the_cache_and_matches_the_drawing(world, cases, frozen):
    frozen(AT + timedelta(days=1))
    sam = _client(world.sam)
    for headers in ({}, HTMX):  # the page and the fragment it polls for share an entry: each drawn afresh
        cache.clear()
        with CaptureQueriesContext(connection) as drawn:
            first = sam.get(BREACHED, headers=headers)
        with CaptureQueriesContext(connection) as served:
            again = sam.get(BREACHED, headers=headers)
        assert any('FROM "cases_case"' in q["sql"] for q in drawn)
        assert not any('FROM "cases_case"' in q["sql"] for q in served)
        cache.clear()
        assert without_csrf(again) == without_csrf(first) == without_csrf(sam.get(BREACHED, headers=headers))


def test_a_write_shows_at_once(world, cases, frozen):
    frozen(AT + timedelta(days=1))
    sam, late = _client(world.sam), cases[0]
    assert late.number in [number for number, *_ in shown(sam)]
    services.case_reply(case=late, actor=world.sam, body="We are on it.")  # the first response stops the clock
    assert late.number not in [number for number, *_ in shown(sam)]
    assert shown(sam) == reference(world.sam, AT + timedelta(days=1))


def test_people_languages_and_zones_never_share_an_entry(world, cases, frozen):
    frozen(AT + timedelta(days=1))
    sam, tess = _client(world.sam), _client(world.tess)
    globex = {c.number for c in cases if c.account == world.globex}
    assert globex & {number for number, *_ in shown(sam)}
    assert {number for number, *_ in shown(tess)} <= globex  # Globex's TAM: never another account's case
    tina = _client(world.tina)
    assert not globex & {number for number, *_ in shown(tina)}
    user_update_preferences(user=world.sam, language="pl")
    assert "Odpowiedź do" in text(sam.get(BREACHED))  # "Response due" in Polish
    user_update_preferences(user=world.sam, timezone="Asia/Tokyo")
    assert " JST" in text(sam.get(BREACHED))


@pytest.mark.parametrize("status", ["all", "resolved"])
def test_the_view_of_all_or_resolved_cases_is_drawn_every_time(world, cases, frozen, status):
    frozen(AT + timedelta(days=1))
    sam = _client(world.sam)
    sam.get(f"{BREACHED}&status={status}")
    with CaptureQueriesContext(connection) as again:
        sam.get(f"{BREACHED}&status={status}")
    assert any('FROM "cases_case"' in q["sql"] for q in again)


def test_the_next_breach_is_never_after_the_first_deadline_ahead(world, cases, frozen):
    """Read through a window of the queue's index: the accounts' first deadline in it, or the window's last one
    when theirs are all further on (never later than their first), or None when no deadline of theirs is ahead."""
    from accounts.models import Account

    now = AT + timedelta(minutes=10)
    frozen(now)
    open_cases = Case.objects.open()
    ahead = sorted(c.next_deadline_at for c in open_cases.exclude(next_deadline_at=None) if c.next_deadline_at > now)
    globex = Account.objects.filter(pk=world.globex.pk)
    theirs = min(c.next_deadline_at for c in cases if c.account == world.globex and c.next_deadline_at)
    for window in range(1, len(ahead) + 2):
        moment = open_cases.next_breach(now, accounts=globex, window=window)
        assert moment == (theirs if theirs <= ahead[min(window, len(ahead)) - 1] else ahead[window - 1])
    assert open_cases.next_breach(now, accounts=Account.objects.none()) is None
    assert open_cases.next_breach(ahead[-1], accounts=Account.objects.all()) is None
