"""Which day a report counts on, for readers in every zone (issue 19): UTC days, said on the page.

Receivers cut daily reports at 00:00 UTC (RFC 7489 section 7.2), so a report counts on the UTC day in the
middle of its date range, and the pages name the days UTC for a reader in New York (behind UTC) and in Tokyo
(ahead of it) alike; only the time a file was received is shown in the reader's own zone."""

from datetime import UTC, date, datetime

import pytest

from deliverability.dmarc_reports.parse import report_day
from deliverability.models import DmarcReport
from tests.deliverability.dmarc import reports
from tests.helpers import text

DOMAIN_PAGE = "/a/acme/dmarc/domains/acme.example/"


def at(value: str) -> datetime:
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("begins", "ends", "day"),
    [
        ("2026-11-20 00:00:00", "2026-11-20 23:59:59", date(2026, 11, 20)),  # Google, Yahoo
        ("2026-11-20 00:00:00", "2026-11-21 00:00:00", date(2026, 11, 20)),  # Microsoft: midnight to midnight
        ("2026-11-20 05:00:00", "2026-11-21 04:59:59", date(2026, 11, 20)),  # cut at a receiver's local midnight
        ("2026-11-20 23:30:00", "2026-11-21 01:59:59", date(2026, 11, 21)),  # mostly after midnight
    ],
)
def test_a_report_counts_on_the_utc_day_in_the_middle_of_its_range(begins, ends, day):
    assert report_day(at(begins), at(ends)) == day


@pytest.fixture
def counted(dmarc, world, frozen, client, django_capture_on_commit_callbacks):
    """Google's report for 20 November (UTC), received at 02:00 UTC on the 21st: the evening of the 20th in
    New York, the morning of the 21st in Tokyo."""
    frozen("2026-11-21 02:00")
    client.force_login(world.alice)
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/a/acme/dmarc/upload/",
            {"report": SimpleUploadedFile(reports.GOOGLE_NAME, reports.zipped(reports.google()))},
        )
    assert DmarcReport.objects.get().status == "ingested"
    return world


@pytest.mark.parametrize(
    ("zone", "received"), [("America/New_York", "21:00 EST"), ("Asia/Tokyo", "11:00 JST")], ids=["new-york", "tokyo"]
)
def test_readers_on_both_sides_of_utc_see_the_same_utc_days(counted, client, english, zone, received):
    reader = counted.arthur
    reader.timezone = zone
    reader.save(update_fields=["timezone"])
    client.force_login(reader)
    page = text(client.get("/a/acme/dmarc/"))
    assert "Days are UTC days" in page
    files = page[page.index('data-testid="dmarc-files"') :]
    assert "Day (UTC)" in files and "20 Nov 2026" in files  # the day it counts on, the same for both readers
    assert received in files  # when it arrived: the reader's own clock, zone named
    domain = text(client.get(DOMAIN_PAGE))
    assert "Aligned messages per UTC day" in domain
    assert "20 Nov UTC: " in domain  # the bar's day
    assert "21 Nov UTC</text>" in domain  # today in UTC is the 21st, though New York's is still the 20th
