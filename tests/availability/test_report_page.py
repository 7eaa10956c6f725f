"""Issue 17, availability item: a monthly report the customer can print (or save as PDF): a page of its own,
no script, a print stylesheet; the month's figures and incidents in the reader's zone, named. MISSION: AV-1."""

import re

import pytest

from availability.models import AvailabilityProfile
from tests.helpers import feed_attempts as feed
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db
REPORT = "/a/acme/availability/2026-11/report/"


def test_the_printable_month_report_has_the_figures_and_the_incidents_in_the_readers_zone(client, world, frozen):
    frozen("2026-11-20 12:00")
    AvailabilityProfile.objects.create(account=world.acme, target_pct="99.99")
    feed(
        world.acme,
        [f"2026-11-10T10:00:{s:02d}Z,api,timeout" for s in range(10)] + ["2026-11-10T10:00:40Z,smtp,timeout"],
    )
    client.force_login(world.alice)  # Acme: Europe/Warsaw
    page_links = client.get("/a/acme/availability/").content.decode()
    assert f'href="{REPORT}"' in page_links and 'href="/a/acme/availability/2026-10/report/"' in page_links
    response = client.get(REPORT)
    html = response.content.decode()
    assert "<script" not in html  # prints as it is, under a strict CSP, with no JavaScript
    assert "portal/app.css" in html  # whose @media print lays it out
    page = visible_text(html)
    assert "Availability report, November 2026" in page and "Acme" in page
    assert "Availability 99.9996%" in page and "Target 99.99%" in page
    assert "API: 99.9996% · SMTP: 100.0000%" in page
    assert "Unavailable seconds 11" in page
    assert "Times in Europe/Warsaw. The month is a UTC calendar month." in page
    incidents = visible_text(re.search(r'data-testid="report-incidents".*?</table>', html, re.S).group(0))
    assert "10 Nov 2026 11:00:00 CET 10 Nov 2026 11:00:41 CET 41 11 API, SMTP" in incidents


def test_a_month_without_attempts_prints_no_data_and_a_bad_month_is_a_404(client, world, frozen):
    frozen("2026-11-20 12:00")
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/availability/2026-10/report/"))
    assert "No data: no API call or SMTP injection was recorded in this month." in page
    assert "No incidents in this month." in page and "100.0000%" not in page
    assert client.get("/a/acme/availability/2026-13/report/").status_code == 404


def test_a_polish_reader_prints_the_report_in_polish(client, world, frozen):
    frozen("2026-11-20 12:00")
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    page = visible_text(client.get(REPORT))
    assert "Raport dostępności, listopad 2026" in page
    assert "Czasy w strefie Europe/Warsaw. Miesiąc to miesiąc kalendarzowy UTC." in page
