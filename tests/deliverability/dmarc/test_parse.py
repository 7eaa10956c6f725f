"""Parsing report files as they arrive (issue 19): Google's zip, Microsoft's gzip, Yahoo's XML; hostile,
broken and oversized files refused with the reason. Pure: no database, no DNS."""

import zipfile
from datetime import date

import pytest

from deliverability.dmarc_reports import parse
from tests.deliverability.dmarc import reports


def test_google_zip_gives_each_record_with_results_and_alignment():
    report = parse.parse(reports.zipped(reports.google()))
    assert (report.org_name, report.report_id, report.domain) == ("google.com", "13311519843396745810", "acme.example")
    assert report.messages == 9452
    rows = {row.source_ip: row for row in report.rows}
    assert rows["192.0.2.10"] == parse.Row(
        date(2026, 11, 20), "acme.example", "192.0.2.10", "pass", "pass", True, True, "none", 9400
    )
    # SPF passed for the ESP's bounce domain, not Acme's: not aligned; DKIM failed
    broken = rows["192.0.2.11"]
    assert (broken.spf, broken.dkim, broken.spf_aligned, broken.dkim_aligned) == ("pass", "fail", False, False)
    stranger = rows["203.0.113.66"]
    assert (stranger.spf, stranger.dkim, stranger.spf_aligned, stranger.dkim_aligned) == (
        "softfail",
        "none",
        False,
        False,
    )


def test_microsoft_gzip_with_namespaces_and_a_forwarded_row():
    report = parse.parse(reports.gzipped(reports.microsoft()))
    assert report.org_name == "Enterprise Outlook"
    forwarded = next(row for row in report.rows if row.source_ip == "198.51.100.25")
    assert (forwarded.spf, forwarded.dkim, forwarded.spf_aligned, forwarded.dkim_aligned) == (
        "fail",
        "pass",
        False,
        True,
    )
    assert forwarded.day == date(2026, 11, 20)  # Microsoft's range ends at midnight: the middle decides the day


def test_yahoo_plain_xml():
    report = parse.parse(reports.yahoo())
    assert (report.org_name, report.messages, report.rows[0].day) == ("Yahoo", 100, date(2026, 11, 20))


def test_a_report_with_a_default_namespace_is_read():
    xml = reports.yahoo().replace(b"<feedback>", b'<feedback xmlns="urn:ietf:params:xml:ns:dmarc-2.0">')
    assert parse.parse(xml).messages == 100


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (reports.HOSTILE, "the XML declares a DTD or entities (refused as hostile)"),
        (reports.zipped(reports.HOSTILE), "the XML declares a DTD or entities (refused as hostile)"),
        (reports.BROKEN, "the XML is broken: %(error)s"),
        (b"PK\x03\x04 not really a zip", "the zip file is broken: %(error)s"),
        (b"\x1f\x8b\x08\x00 not really gzip", "the gzip file is broken: %(error)s"),
        (b"<html><body>hello</body></html>", "not a DMARC aggregate report (no <feedback> element)"),
        (
            reports.google().replace(b"<report_id>13311519843396745810</report_id>", b""),
            "the report names no organisation or no report id",
        ),
        (
            reports.google().replace(b"<count>40</count>", b"<count>many</count>"),
            "a record's count is not a number: %(value)s",
        ),
        (reports.google().replace(b"192.0.2.11", b"192.0.2.999"), "a record's source IP is not an address: %(value)s"),
    ],
    ids=[
        "entities",
        "entities-in-zip",
        "truncated",
        "bad-zip",
        "bad-gzip",
        "not-a-report",
        "no-id",
        "bad-count",
        "bad-ip",
    ],
)
def test_refused_with_the_reason(data, reason):
    with pytest.raises(parse.Refused) as refused:
        parse.parse(data)
    assert refused.value.reason.msgid == reason


def test_a_zip_bomb_is_refused_without_unpacking_it_all():
    bomb = reports.zipped(b"<feedback>" + b" " * (5 * 1024 * 1024) + b"</feedback>")
    assert len(bomb) < 20_000
    with pytest.raises(parse.Refused) as refused:
        parse.unpack(bomb, limit=1024 * 1024)
    assert refused.value.reason.msgid == "the report is larger than %(limit)s bytes unpacked"
    with pytest.raises(parse.Refused):
        parse.unpack(reports.gzipped(b" " * (2 * 1024 * 1024)), limit=1024 * 1024)


def test_a_zip_holding_two_files_is_refused():
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.xml", reports.yahoo())
        archive.writestr("b.xml", reports.yahoo())
    with pytest.raises(parse.Refused) as refused:
        parse.parse(buffer.getvalue())
    assert refused.value.reason.args == {"n": 2}
