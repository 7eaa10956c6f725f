"""The SLA report per account and month (issue 15): every deadline met or breached and by how much (business
time for the business-hours clock), counted in the month its deadline falls in, in the viewer's zone; CSV
safe from formulas; each person sees the accounts they reach. Time is pinned."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from cases import services
from cases.models import ClockRecord
from tests.cases.conftest import PHONE, open_case
from tests.helpers import element_text, visible_text

MIN = timedelta(minutes=1)
TUE = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Warsaw (support hours 09:00-17:00)


def report_page(client, user, url="/a/acme/cases/sla-report/", **params):
    client.force_login(user)
    return client.get(url, params)


def test_a_response_on_time_is_met_with_the_business_time_to_spare(client, world, frozen):
    # MISSION: NC-2 — four business hours from 10:00, answered at 11:00: three hours to spare
    frozen(TUE)
    case = open_case(world)
    frozen(TUE + 60 * MIN)
    services.case_reply(case=case, actor=world.sam, body="Looking at it.")

    page = report_page(client, world.alice, month="2026-06")

    assert element_text(page.content.decode(), "report-counts") == "Met: 1 · Breached: 0 · Running: 0"
    assert "3 h 00 min to spare" in visible_text(page)
    record = ClockRecord.objects.get(case=case)
    assert (record.clock, record.outcome, record.margin, record.business_time) == (
        "response",
        "met",
        timedelta(hours=3),
        True,
    )


def test_a_late_response_is_late_by_business_time_not_by_the_weekend(client, world, frozen):
    # Opened Friday 16:00 Warsaw: due Monday 12:00; answered Monday 13:30 — 1 h 30 min late, not 3 days
    friday = datetime(2026, 6, 12, 14, 0, tzinfo=UTC)
    frozen(friday)
    case = open_case(world)
    frozen(datetime(2026, 6, 15, 11, 30, tzinfo=UTC))
    services.case_reply(case=case, actor=world.sam, body="Sorry for the wait.")

    page = report_page(client, world.alice, month="2026-06")

    assert element_text(page.content.decode(), "report-counts") == "Met: 0 · Breached: 1 · Running: 0"
    assert "1 h 30 min late" in visible_text(page)
    assert ClockRecord.objects.get(case=case).margin == -timedelta(minutes=90)


def test_a_missed_deadline_still_running_is_breached_so_far(client, world, frozen):
    frozen(TUE)
    open_case(world, critical=True, callback=True)  # MISSION: CR-2 — callback due 10:15
    frozen(TUE + 40 * MIN)

    page = report_page(client, world.alice, month="2026-06")

    assert element_text(page.content.decode(), "report-counts") == "Met: 0 · Breached: 1 · Running: 0"
    assert "25 min late" in visible_text(page)


def test_a_clock_running_over_the_month_end_counts_in_the_month_its_deadline_falls_in(client, world, frozen):
    # 31 October 23:50 in Warsaw (CET); the 15-minute callback falls on 1 November 00:05
    frozen(datetime(2026, 10, 31, 22, 50, tzinfo=UTC))
    case = open_case(world, critical=True, callback=True)
    frozen(datetime(2026, 10, 31, 23, 0, tzinfo=UTC))
    services.case_log_callback(case=case, actor=world.sam, called_name="Alice", called_number=PHONE, outcome="reached")

    october = report_page(client, world.alice, month="2026-10")
    november = report_page(client, world.alice, month="2026-11")

    assert "No deadline fell in this month." in visible_text(october)
    # the callback met; the update cadence it started (due 01:00) runs on
    assert element_text(november.content.decode(), "report-counts") == "Met: 1 · Breached: 0 · Running: 1"
    assert element_text(november.content.decode(), "carried") == (
        "started in an earlier month; counted in the month of its deadline"
    )
    assert "1 Nov 00:05 CET" in visible_text(november)
    assert "November 2026, times in Europe/Warsaw." in element_text(november.content.decode(), "report-month")


def test_the_month_is_the_viewers_month_in_their_zone(client, world, frozen):
    # Bob's month (New York): 1 July 02:00 UTC is still 30 June 22:00 there
    frozen(datetime(2026, 7, 1, 1, 50, tzinfo=UTC))
    open_case(world, account=world.globex, actor=world.bob, critical=True, callback=True)

    june = report_page(client, world.bob, "/a/globex/cases/sla-report/", month="2026-06")

    assert "Running: 1" in element_text(june.content.decode(), "report-counts")
    assert "times in America/New_York" in element_text(june.content.decode(), "report-month")


def test_a_paused_clock_is_not_counted_and_goes_on_as_a_new_deadline(client, world, frozen):
    # MISSION: NC-3 — waiting on the customer stops the clock with 3 h 30 min left; it is neither met nor breached
    frozen(TUE)
    case = open_case(world)
    frozen(TUE + 30 * MIN)
    services.case_wait_on_customer(case=case, actor=world.sam)
    frozen(TUE + 60 * MIN)
    services.case_start_work(case=case, actor=world.sam)  # resumed at 11:00: due 14:30
    frozen(TUE + 5 * 60 * MIN)  # 15:00, still unanswered

    page = report_page(client, world.alice, month="2026-06")

    records = ClockRecord.objects.filter(case=case).order_by("id")
    assert [r.outcome for r in records] == ["paused", "running"]
    assert records[1].due_at == TUE + 270 * MIN
    assert element_text(page.content.decode(), "report-counts") == "Met: 0 · Breached: 1 · Running: 0"
    assert "30 min late" in visible_text(page)


def test_the_csv_has_every_deadline_and_no_formula(client, world, frozen):
    frozen(TUE)
    case = open_case(world, subject='=HYPERLINK("http://evil.test")')
    frozen(TUE + 60 * MIN)
    services.case_reply(case=case, actor=world.sam, body="On it.")

    response = report_page(client, world.alice, month="2026-06", format="csv")

    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="sla-acme-2026-06.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["account", "case", "subject"]
    assert rows[1][2] == '\'=HYPERLINK("http://evil.test")'
    assert rows[1][7] == "2026-06-09T14:00:00+02:00"
    assert (rows[1][9], rows[1][10]) == ("met", str(3 * 3600))


def test_the_customer_sees_only_their_account_and_the_tam_sees_all_theirs(client, world, frozen):
    frozen(TUE)
    open_case(world, subject="Acme trouble")
    open_case(world, account=world.globex, actor=world.bob, subject="Globex trouble")

    assert report_page(client, world.bob, month="2026-06").status_code == 404  # Acme's, for Bob
    tina = visible_text(report_page(client, world.tina, "/console/cases/sla-report/", month="2026-06"))
    sam = visible_text(report_page(client, world.sam, "/console/cases/sla-report/", month="2026-06"))

    assert "Acme trouble" in tina and "Globex trouble" not in tina  # MISSION: TAM-4 — her accounts
    assert "Acme trouble" in sam and "Globex trouble" in sam  # an agent works on every open account
    assert report_page(client, world.alice, "/console/cases/sla-report/").status_code in (302, 403, 404)


@pytest.mark.parametrize("month", ["2026-13", "x", ""])
def test_a_bad_month_shows_the_current_one(client, world, frozen, month):
    frozen(TUE)
    page = report_page(client, world.alice, month=month)
    assert page.status_code == 200
    assert "June 2026" in element_text(page.content.decode(), "report-month")


def test_the_report_costs_the_same_queries_for_3_or_30_deadlines(client, world, frozen, django_assert_max_num_queries):
    from tests.accounts.factories import BusinessCalendarFactory
    from tests.helpers import count_queries

    world.acme.support_calendar = BusinessCalendarFactory()
    world.acme.save(update_fields=["support_calendar"])
    frozen(TUE)
    for _ in range(3):
        open_case(world)
    frozen(TUE + 8 * 60 * MIN)  # all missed, still running: each measured on the calendar
    client.force_login(world.tina)
    url = "/console/cases/sla-report/?month=2026-06"
    few, _ = count_queries(client, url, django_assert_max_num_queries, 40)
    frozen(TUE)
    for _ in range(27):
        open_case(world)
    frozen(TUE + 8 * 60 * MIN)
    many, page = count_queries(client, url, django_assert_max_num_queries, 40)

    assert "Breached: 30" in visible_text(page)
    assert many == few


def test_the_tam_sees_the_months_satisfaction_ratings_with_the_report(client, world, frozen):
    # MISSION: TAM-4 — issue 15: the rating is shown to the TAM on the console
    frozen(TUE)
    for score in (5, 2):
        case = open_case(world)
        services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
        services.case_accept_resolution(case=case, actor=world.alice)
        services.case_rate(case=case, actor=world.alice, score=score, comment="Thanks" if score == 5 else "")

    page = report_page(client, world.tina, "/console/cases/sla-report/", month="2026-06")

    assert element_text(page.content.decode(), "rating-average") == "Average 3.5 of 5 from 2 ratings"
    assert "ACME-000001 · 5/5 — Thanks" in visible_text(page)
