"""The "someone else is replying" notice on the staff case page (issue 15): a marker lives 30 seconds after
the last keystroke, other staff see who is writing, nobody sees themselves, customers never see it, and the
polled region never holds the reply form."""

import re
from datetime import timedelta

import pytest

from cases import presence
from tests.cases.conftest import open_case
from tests.helpers import HTMX, text, visible_text

POLL = HTMX | {"X-Portal-Poll": "1"}


@pytest.fixture
def case(world):
    return open_case(world)


def replying_url(case):
    return f"/console/cases/{case.number}/replying/"


def notice(response) -> str:
    region = re.search(r'<div id="replying".*?</div>', text(response), re.S)
    assert region, "no replying region"
    return visible_text(region.group(0))


def test_another_agent_typing_shows_on_the_page_and_the_poll(client, world, case, english, frozen):
    frozen("2026-12-07 10:00")
    client.force_login(world.sam)
    assert client.post(replying_url(case), headers=HTMX).status_code == 200

    client.force_login(world.tina)
    assert notice(client.get(f"/console/cases/{case.number}/")) == "Sam Okafor is replying"
    assert notice(client.get(replying_url(case), headers=POLL)) == "Sam Okafor is replying"
    client.force_login(world.sam)  # never oneself
    assert notice(client.get(replying_url(case), headers=POLL)) == ""


def test_the_notice_goes_30_seconds_after_the_last_keystroke(client, world, case, frozen):
    start = frozen("2026-12-07 10:00")
    client.force_login(world.sam)
    client.post(replying_url(case), headers=HTMX)
    client.force_login(world.tina)
    frozen(start + timedelta(seconds=presence.TTL - 1))
    assert notice(client.get(replying_url(case), headers=POLL)) == "Sam Okafor is replying"
    frozen(start + timedelta(seconds=presence.TTL + 1))
    assert notice(client.get(replying_url(case), headers=POLL)) == ""


def test_two_people_replying_are_both_named(client, world, case, english, frozen):
    frozen("2026-12-07 10:00")
    for person in (world.sam, world.tom):
        client.force_login(person)
        client.post(replying_url(case), headers=HTMX)
    client.force_login(world.tina)
    assert notice(client.get(replying_url(case), headers=POLL)) == "Sam Okafor, Tom Becker are replying"


def test_sending_the_reply_removes_the_notice_at_once(client, world, case, frozen):
    frozen("2026-12-07 10:00")
    client.force_login(world.sam)
    client.post(replying_url(case), headers=HTMX)
    client.post(f"/console/cases/{case.number}/reply/", {"body": "We are on it."})
    client.force_login(world.tina)
    assert notice(client.get(replying_url(case), headers=POLL)) == ""


def test_the_polled_region_holds_no_form(client, world, case):
    client.force_login(world.sam)
    client.post(replying_url(case), headers=HTMX)
    client.force_login(world.tina)
    region = text(client.get(replying_url(case), headers=POLL))
    assert region.startswith('<div id="replying"') and "<form" not in region and "<textarea" not in region
    assert '"X-Portal-Poll": "1"' in region


@pytest.mark.parametrize("who", ["alice", "tess", "bob"])
def test_customers_and_other_accounts_staff_get_a_404(client, world, case, who):
    client.force_login(world.sam)
    client.post(replying_url(case), headers=HTMX)
    client.force_login(getattr(world, who))
    assert client.get(replying_url(case), headers=POLL).status_code == 404
    assert client.post(replying_url(case), headers=HTMX).status_code == 404
    assert "Sam Okafor" not in text(client.get(case.get_absolute_url()))


def test_the_notice_is_in_the_readers_language(client, world, case, frozen):
    frozen("2026-12-07 10:00")
    client.force_login(world.sam)
    client.post(replying_url(case), headers=HTMX)
    client.force_login(world.tina)
    response = client.get(replying_url(case), headers=POLL | {"Accept-Language": "pl"})
    assert notice(response) == "Sam Okafor pisze odpowiedź"
