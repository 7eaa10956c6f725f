"""What Gmail's Postmaster Tools figures feed (issue 19): the Gmail/Yahoo checklist's spam-rate item is
measured (< 0.10% passes, 0.10–0.30% warns, >= 0.30% fails, with the figure and the day; unknown when not
connected); a rising spam rate from 0.10% or a LOW/BAD domain reputation holds Gmail in the account's
warm-up plans; the dashboard shows the spam rate; the page's chart draws the 0.10% and 0.30% lines; Polish."""

from datetime import date

import pytest

from deliverability.reputation import postmaster_chart, postmaster_signals
from planning.status import plan_status
from tests.deliverability.factories import AuthRunFactory, MonitoredTargetFactory
from tests.deliverability.postmaster.conftest import DOMAIN
from tests.deliverability.postmaster.factories import (
    PostmasterConnectionFactory,
    PostmasterDayFactory,
    PostmasterDomainFactory,
)
from tests.helpers import count_queries, element_text, panel_text, visible_text
from tests.planning.factories import WarmupPlanFactory

TODAY = "2026-12-06 16:00"


def checklist_row(client, title: str) -> str:
    """The spam-rate row of the checklist as read: from its title to the next requirement's."""
    page = visible_text(client.get("/a/acme/authentication/"))
    return page[page.index(title) : page.index("Both SPF and DKIM pass")]


@pytest.fixture
def checked(world):
    MonitoredTargetFactory(account=world.acme, kind="domain", value=DOMAIN, role="from")
    AuthRunFactory(account=world.acme)


@pytest.mark.parametrize(
    ("ratio", "label"), [(0.0009, "Pass"), (0.0010, "Warning"), (0.0029, "Warning"), (0.0030, "Fail")]
)
def test_the_checklist_spam_rate_is_measured(client, world, frozen, english, checked, ratio, label):
    frozen(TODAY)
    PostmasterConnectionFactory(account=world.acme)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 1), spam_ratio=0.0001)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4), spam_ratio=ratio)  # the newest counts
    client.force_login(world.alice)
    page = client.get("/a/acme/authentication/").content.decode()
    figure = element_text(page, "checklist-figure")
    assert figure == f"{ratio * 100:.2f}% on 4 Dec"
    row = checklist_row(client, "Spam rate below 0.10%")
    assert label in row


def test_the_checklist_spam_rate_is_unknown_until_connected(client, world, frozen, english, checked):
    frozen(TODAY)
    client.force_login(world.alice)
    assert "Unknown: Google Postmaster Tools is not connected" in checklist_row(client, "Spam rate below 0.10%")
    PostmasterConnectionFactory(account=world.acme)
    assert "Nothing to check yet" in checklist_row(client, "Spam rate below 0.10%")


def test_a_rising_spam_rate_from_010_holds_gmail_only(world, frozen, english):
    frozen(TODAY)
    plan = WarmupPlanFactory(account=world.acme)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 3), spam_ratio=0.0009)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4), spam_ratio=0.0012)
    rows = {row.provider: row for row in plan_status(plan).rows}
    assert rows["gmail"].decision == "hold"
    assert rows["gmail"].reason == (
        "Gmail spam rate for acme.example rising: 0.09% then 0.12% on 4 Dec (Postmaster Tools; hold from 0.10%)."
    )
    assert {p: r.decision for p, r in rows.items() if p != "gmail"} == dict.fromkeys(set(rows) - {"gmail"}, "advance")


def test_a_falling_but_high_spam_rate_or_a_good_reputation_does_not_hold(world, frozen):
    frozen(TODAY)
    plan = WarmupPlanFactory(account=world.acme)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 3), spam_ratio=0.0015, domain_reputation="MEDIUM")
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4), spam_ratio=0.0011, domain_reputation="MEDIUM")
    assert {row.provider: row.decision for row in plan_status(plan).rows}["gmail"] == "advance"


def test_a_low_or_bad_reputation_holds_gmail(world, frozen, english):
    frozen(TODAY)
    plan = WarmupPlanFactory(account=world.acme)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4), spam_ratio=0.0004, domain_reputation="BAD")
    gmail = next(row for row in plan_status(plan).rows if row.provider == "gmail")
    assert gmail.decision == "hold"
    assert "Gmail domain reputation of acme.example is BAD on 4 Dec (Postmaster Tools)" in gmail.reason
    other = WarmupPlanFactory(account=world.globex)  # another account's plan: its own data only
    assert all(row.decision == "advance" for row in plan_status(other).rows)


def test_the_dashboard_shows_the_spam_rate(client, world, frozen, english):
    frozen(TODAY)
    client.force_login(world.alice)
    assert "Gmail spam rate" not in visible_text(client.get("/a/acme/"))  # not connected: no panel
    PostmasterConnectionFactory(account=world.acme)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4), spam_ratio=0.0021)
    panel = panel_text(client.get("/a/acme/"), "spam-rate")
    assert "acme.example 0.21% 4 Dec" in panel and "Gmail: below 0.10%, never 0.30% or more." in panel


def test_the_chart_draws_the_target_and_the_limit():
    rows = [PostmasterDayFactory.build(day=date(2026, 12, d), spam_ratio=r) for d, r in ((1, 0.0005), (2, 0.0035))]
    first = date(2026, 11, 6)
    chart = postmaster_chart.chart(rows, first, 30)
    bars, (target, limit) = chart.bars, chart.lines
    assert [(b.day.day, b.value, b.css) for b in bars] == [(1, 0.05, "ok"), (2, 0.35, "low")]
    assert (target.testid, target.label, limit.testid, limit.label) == ("line-target", "0.10%", "line-limit", "0.30%")
    assert chart.top == 0.4 and chart.height > target.y > limit.y > chart.y_of(chart.top)
    assert bars[1].x > bars[0].x and bars[1].y < bars[0].y


def test_the_page_in_polish(client, world, frozen, checked):
    frozen(TODAY)
    PostmasterConnectionFactory(account=world.acme)
    PostmasterDomainFactory(account=world.acme, name=DOMAIN)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4), spam_ratio=0.0012)
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/reputation/"))
    assert "Reputacja u dostawców poczty" in page and "Wskaźnik spamu 0,12%" in page
    auth = visible_text(client.get("/a/acme/authentication/"))
    assert "0,12% dnia 4 gru" in auth
    assert postmaster_signals.spam_measures(world.acme, date(2026, 12, 6))[DOMAIN].status == "warning"


def test_the_page_queries_do_not_grow_with_domains_and_days(client, world, frozen, django_assert_max_num_queries):
    frozen(TODAY)
    PostmasterConnectionFactory(account=world.acme)
    PostmasterDomainFactory(account=world.acme, name=DOMAIN)
    PostmasterDayFactory(account=world.acme, day=date(2026, 12, 4))
    client.force_login(world.alice)
    one, _page = count_queries(client, "/a/acme/reputation/?days=90", django_assert_max_num_queries, 20)
    for n in range(6):
        name = f"news{n}.acme.example"
        PostmasterDomainFactory(account=world.acme, name=name)
        for day in range(1, 31):
            PostmasterDayFactory(account=world.acme, domain=name, day=date(2026, 11, day), domain_reputation="LOW")
    more, page = count_queries(client, "/a/acme/reputation/?days=90", django_assert_max_num_queries, 20)
    assert more == one
    assert page.content.decode().count('data-testid="postmaster-chart"') == 7
