"""The DMARC pages (issue 19): the report address with the rua= to publish and the RFC 7489 7.1 record
explained; per From domain over 30/90 days the sources failing alignment first with the fix, and the
aligned-% chart (SVG, escaped); a bounded number of queries whatever the data."""

from datetime import date, timedelta

import pytest

from deliverability.dmarc_reports import address, chart, rollups
from deliverability.dmarc_reports.parse import Row
from deliverability.models import DmarcRollup
from tests.deliverability.dmarc import reports
from tests.deliverability.dmarc.conftest import INBOUND_DOMAIN

DOMAIN_PAGE = "/a/acme/dmarc/domains/acme.example/"


def add(account, ip, messages, *, aligned=True, day=date(2026, 11, 20), domain="acme.example", disposition="none"):
    result = "pass" if aligned else "fail"
    rollups.add(account.pk, [Row(day, domain, ip, result, result, aligned, aligned, disposition, messages)])


def test_the_report_address_and_the_authorisation_record(dmarc, world, client, english):
    client.force_login(world.alice)
    page = client.get("/a/acme/dmarc/").content.decode()
    assert f"mailto:{dmarc}" in page and dmarc.startswith("dmarc+") and dmarc.endswith("@" + INBOUND_DOMAIN)
    assert f'acme.example._report._dmarc.{INBOUND_DOMAIN} TXT "v=DMARC1"' in page


def test_authorisation_record_names():
    assert (
        address.authorisation_name("Acme.Example.") == f"acme.example._report._dmarc.{address.settings.INBOUND_DOMAIN}"
    )


def test_authorisation_not_needed_within_our_own_organisation(settings):
    settings.INBOUND_DOMAIN = "reports.portal.test"
    assert address.authorisation_name("mail.portal.test") is None
    assert address.authorisation_name("shop.example.co.uk") == "shop.example.co.uk._report._dmarc.reports.portal.test"


def test_token_of_reads_only_our_addresses(settings):
    settings.INBOUND_DOMAIN = "reports.portal.test"
    assert address.token_of("DMARC+Abcdef123456@Reports.Portal.Test") == "abcdef123456"
    assert address.token_of("dmarc+abcdef123456@elsewhere.test") is None
    assert address.token_of("support@reports.portal.test") is None


def test_sources_failing_first_with_the_fix(dmarc, world, client, english):
    add(world.acme, "192.0.2.10", 9400)
    add(world.acme, "192.0.2.11", 40, aligned=False)  # ours (monitored) and failing
    add(world.acme, "203.0.113.66", 12, aligned=False, disposition="reject")  # a stranger
    add(world.globex, "203.0.113.99", 5000, aligned=False)  # another account's: never shown
    client.force_login(world.alice)
    page = client.get(DOMAIN_PAGE).content.decode()
    assert page.index("192.0.2.11") < page.index("203.0.113.66") < page.index("192.0.2.10")
    assert "Ours and failing: our problem. Contact your TAM." in page
    assert "Unknown source sending as you: spoofing, or a service you forgot." in page
    assert "203.0.113.99" not in page
    assert "9,400 of 9,452 messages DMARC aligned (99.4%) in the last 30 days" in page


def test_the_chart_has_a_bar_per_day_and_the_90_day_view_reaches_further(dmarc, world, client):
    add(world.acme, "192.0.2.10", 100, day=date(2026, 11, 24))
    add(world.acme, "192.0.2.10", 50, day=date(2026, 9, 1))  # 85 days before the 25th
    add(world.acme, "203.0.113.66", 50, aligned=False, day=date(2026, 9, 1))
    client.force_login(world.arthur)
    thirty = client.get(DOMAIN_PAGE).content.decode()
    assert thirty.count("<rect ") == 1 and 'class="ok"' in thirty
    ninety = client.get(DOMAIN_PAGE + "?days=90").content.decode()
    assert ninety.count("<rect ") == 2 and 'class="low"' in ninety and "50.0%" in ninety


def test_hostile_names_in_a_report_are_escaped_or_refused(dmarc, world, client, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    evil = reports.google(header_from="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;").replace(
        b"<org_name>google.com</org_name>", b"<org_name>&lt;script&gt;alert(2)&lt;/script&gt;</org_name>"
    )
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/a/acme/dmarc/upload/", {"report": SimpleUploadedFile("evil.xml", evil)})
    page = client.get("/a/acme/dmarc/").content.decode()
    assert "<script>alert(" not in page and "&lt;script&gt;alert(2)" in page
    # a From domain that is not a domain name is counted under the report's published domain
    assert list(DmarcRollup.objects.values_list("domain", flat=True).distinct()) == ["acme.example"]


def test_queries_do_not_grow_with_sources_or_days(dmarc, world, client, django_assert_max_num_queries):
    for n in range(1, 120):
        add(world.acme, f"198.51.100.{n}", n, aligned=n % 3 != 0, day=date(2026, 11, 25) - timedelta(days=n % 30))
    client.force_login(world.alice)
    with django_assert_max_num_queries(14):
        assert client.get(DOMAIN_PAGE + "?days=90").status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get("/a/acme/dmarc/").status_code == 200


def test_bars_are_placed_by_day():
    first = date(2026, 11, 1)
    bars = chart.chart([{"day": date(2026, 11, 30), "total": 10, "aligned": 9, "percent": 90.0}], first, 30).bars
    assert bars[0].x == pytest.approx(29 * 20 + 2) and bars[0].css == "low" and bars[0].height == pytest.approx(135.0)


def test_a_report_upload_ends_in_the_page(dmarc, world, client, django_capture_on_commit_callbacks, english):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/a/acme/dmarc/upload/", {"report": SimpleUploadedFile("g.zip", reports.zipped(reports.google()))})
    page = client.get("/a/acme/dmarc/").content.decode()
    assert "acme.example" in page and "99.4%" in page and "counted" in page


def test_the_pages_and_the_reasons_in_polish(dmarc, world, client):
    from django.utils import translation

    from deliverability.dmarc_reports import parse

    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    client.cookies.load({"django_language": "pl"})
    page = client.get("/a/acme/dmarc/", HTTP_ACCEPT_LANGUAGE="pl").content.decode()
    assert "Twój adres raportów" in page
    with translation.override("pl"):
        try:
            parse.parse(reports.HOSTILE)
        except parse.Refused as refused:
            assert str(refused.reason) == "XML deklaruje DTD lub encje (odrzucony jako wrogi)"
        inbound = measure_plural(3)
    assert inbound == "Raport DMARC dla Acme: 3 pliki zapisane do policzenia"


def measure_plural(n):
    from core.text import _
    from deliverability.dmarc_reports import inbound  # noqa: F401 - the msgid lives there

    reason = _(
        "DMARC report for %(account)s: %(n)s file kept for counting",
        plural="DMARC report for %(account)s: %(n)s files kept for counting",
    )
    return str(reason % {"account": "Acme", "n": n})


def test_the_fifty_sources_failing_most_are_shown_and_the_rest_a_link_away(dmarc, world, client, english):
    rows = [
        Row(date(2026, 11, 20), "acme.example", f"198.51.100.{n}", "pass", "pass", True, True, "none", 10)
        for n in range(52)
    ]
    rows.append(Row(date(2026, 11, 20), "acme.example", "203.0.113.66", "fail", "fail", False, False, "none", 1))
    rollups.add(world.acme.pk, rows)
    client.force_login(world.alice)
    page = client.get(DOMAIN_PAGE).content.decode()
    table = page[page.index('data-testid="dmarc-sources"') : page.index("</table>", page.index("dmarc-sources"))]
    assert table.count("<tr>") == 1 + 50 and "203.0.113.66" in table  # the failing one first, never hidden
    assert "Show 3 more sources" in page and "?days=30&amp;sources=all" in page
    everything = client.get(DOMAIN_PAGE + "?days=30&sources=all").content.decode()
    assert everything.count("198.51.100.") == 52 and "more source" not in everything
