"""The staff console's deliverability panels kept in the panel cache (core/panel_cache.py, issue 18): current
listings, DMARC report files, SNDS trouble and Gmail reputation drops. Each change shows on the very next
request (SNDS and Postmaster imports: tests/deliverability/snds/test_feeds.py and postmaster/test_import.py),
the times move at the viewer's midnight, and nobody sees another person's accounts. MISSION: DLV-2, TAM-4."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from deliverability.blocklists import sweeps
from deliverability.blocklists.dnsbl import Result, Status, Target
from deliverability.dmarc_reports import services as dmarc
from deliverability.models import MonitoredTarget
from tests.deliverability.dmarc import reports
from tests.deliverability.factories import ListingStatusFactory, MonitoredTargetFactory, SweepFactory, catalogue
from tests.helpers import panel_text

CONSOLE = "/console/"
T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Warsaw (Tina's zone)
PANEL_TABLES = ("deliverability_listingstatus", "deliverability_dmarcreport", "deliverability_sndsday")
PANEL_TABLES += ("deliverability_postmasterday",)


@pytest.fixture
def tina(client, world, frozen):
    frozen(T0)
    MonitoredTargetFactory(account=world.acme, value="192.0.2.10")
    client.force_login(world.tina)
    return client


def _loaded_twice(client, panel: str) -> str:
    """The panel as the first load renders it; the second load serves the same text without its queries."""
    first = panel_text(client.get(CONSOLE), panel)
    with CaptureQueriesContext(connection) as warm:
        assert panel_text(client.get(CONSOLE), panel) == first
    assert not [q["sql"] for q in warm if any(table in q["sql"] for table in PANEL_TABLES)]
    return first


def _swept(account, result: Result, checked_at: datetime) -> None:
    """What a sweep's worker writes for 192.0.2.10 on Spamhaus ZEN (bulk writes, as the worker does)."""
    zen = catalogue("zen.spamhaus.org")
    target = MonitoredTarget.objects.get(account=account, value="192.0.2.10")
    finding = sweeps.Finding(Target("ip4", "192.0.2.10"), zen.spec(), result)
    args = {"targets": {"192.0.2.10": target}, "lists": {zen.zone: zen}}
    sweeps.record(sweep=SweepFactory(account=account), **args, findings=[finding], checked_at=checked_at)


def test_the_second_load_reads_the_deliverability_panels_from_the_cache(tina, world):
    ListingStatusFactory(target=MonitoredTarget.objects.get(value="192.0.2.10"))
    with CaptureQueriesContext(connection) as cold:
        tina.get(CONSOLE)
    assert [q["sql"] for q in cold if "deliverability_listingstatus" in q["sql"]]
    for panel in ("listings", "dmarc-reports", "reputation-drops"):
        _loaded_twice(tina, panel)


def test_a_listing_found_by_a_sweep_and_its_delisting_show_on_the_next_request(tina, world):
    assert "0 current listings" in _loaded_twice(tina, "listings")
    _swept(world.acme, Result(Status.LISTED, ("127.0.0.2",), "SBL"), T0)
    assert "1 current listing on your accounts" in _loaded_twice(tina, "listings")
    _swept(world.acme, Result(Status.CLEAR), T0 + timedelta(minutes=5))
    assert "0 current listings" in panel_text(tina.get(CONSOLE), "listings")


def test_a_listing_saved_outside_a_sweep_shows_on_the_next_request(tina, world):
    assert "192.0.2.10" not in _loaded_twice(tina, "listings")
    ListingStatusFactory(target=MonitoredTarget.objects.get(value="192.0.2.10"))
    assert "192.0.2.10" in panel_text(tina.get(CONSOLE), "listings")


def test_listed_since_moves_at_the_viewers_midnight(tina, world, frozen):
    ListingStatusFactory(target=MonitoredTarget.objects.get(value="192.0.2.10"), checked_at=T0)
    frozen(datetime(2026, 6, 9, 21, 59, 59, tzinfo=UTC))  # 23:59:59 in Warsaw
    tina.force_login(world.tina)  # the evening: signed in again
    assert "since 10:00" in _loaded_twice(tina, "listings")
    frozen(datetime(2026, 6, 9, 22, 0, tzinfo=UTC))
    assert "since 9 Jun 10:00" in panel_text(tina.get(CONSOLE), "listings")


def test_a_dmarc_report_its_refusal_and_its_replay_show_on_the_next_request(tina, world):
    assert "No DMARC report files yet." in _loaded_twice(tina, "dmarc-reports")
    report, _ = dmarc.report_receive(account=world.acme, data=b"not a report", filename="junk.xml", source="upload")
    assert "junk.xml" in _loaded_twice(tina, "dmarc-reports")
    dmarc.report_ingest(report_id=report.pk)
    assert "1 refused report on your accounts" in _loaded_twice(tina, "dmarc-reports")
    dmarc.report_replay(report=report, actor=world.tina)
    assert "0 refused reports on your accounts" in panel_text(tina.get(CONSOLE), "dmarc-reports")


def test_a_report_counted_shows_its_sender_on_the_next_request(tina, world):
    report, _ = dmarc.report_receive(account=world.acme, data=reports.google(), filename="g.zip", source="upload")
    assert "google.com" not in _loaded_twice(tina, "dmarc-reports")
    dmarc.report_ingest(report_id=report.pk)
    assert "google.com" in panel_text(tina.get(CONSOLE), "dmarc-reports")


def test_each_person_sees_their_own_accounts_only(client, world, frozen):
    frozen(T0)
    ListingStatusFactory(target=MonitoredTargetFactory(account=world.acme, value="192.0.2.10"))
    dmarc.report_receive(account=world.acme, data=b"x", filename="acme-file.xml", source="upload")
    for person, sees in [(world.tina, True), (world.tess, False), (world.sam, True), (world.tess, False)]:
        client.force_login(person)
        page = client.get(CONSOLE)
        assert ("192.0.2.10" in panel_text(page, "listings")) is sees, person
        assert ("acme-file.xml" in panel_text(page, "dmarc-reports")) is sees, person
