"""Reading SNDS's answers (deliverability/reputation/snds_csv.py): the documented columns, with what
spreadsheets and proxies do to a file."""

from datetime import UTC, date, datetime
from decimal import Decimal

from deliverability.reputation import snds_csv
from tests.deliverability.snds.server import DATA, STATUS


def test_the_documented_lines_with_bom_crlf_and_blank_lines():
    parsed = snds_csv.parse_data(DATA)
    assert [line.ip for line in parsed.lines] == ["192.0.2.10", "192.0.2.11", "203.0.113.5", "192.0.2.12"]
    assert parsed.skipped == []
    green, red, yellow, odd = parsed.lines
    assert green.day == date(2026, 11, 30)
    assert green.activity_start == datetime(2026, 11, 30, tzinfo=UTC)
    assert (green.rcpt_commands, green.data_commands, green.recipients) == (1200, 1180, 1175)
    assert (green.filter_result, green.complaint_rate, green.complaint_below) == ("green", Decimal("0.1"), True)
    assert green.complaint_text == "< 0.1%"
    assert (green.trap_hits, green.sample_helo, green.sample_mail_from) == (
        0,
        "mta1.acme.example",
        "bounce@acme.example",
    )
    assert (red.filter_result, red.complaint_rate, red.complaint_below, red.trap_hits) == (
        "red",
        Decimal("2.3"),
        False,
        14,
    )
    assert red.trap_start == datetime(2026, 11, 30, 3, 10, tzinfo=UTC)
    assert red.trap_end == datetime(2026, 11, 30, 21, 45, tzinfo=UTC)
    assert red.sample_mail_from == '"x"<img src=x onerror=alert(1)>@evil.example'
    assert yellow.filter_result == "yellow"
    # an undocumented colour is "unknown" with the word kept; no trap columns: unknown, not zero
    assert (odd.filter_result, odd.filter_raw, odd.trap_hits, odd.complaint_rate) == (
        "unknown",
        "PURPLE",
        None,
        Decimal("0.5"),
    )


def test_lf_only_a_header_and_an_unreadable_line():
    data = (
        b"IP Address,Activity start,Activity end,RCPT,DATA,Recipients,Filter,Complaint rate\n"
        b"not-an-ip,11/30/2026 12:00 AM,12/1/2026 12:00 AM,1,1,1,GREEN,< 0.1%\n"
        b"192.0.2.10, 11/30/2026 12:00 AM , 12/1/2026 12:00 AM ,1,1,1, green ,< 0.1%,,,3\n"
    )
    parsed = snds_csv.parse_data(data)
    assert [(line.ip, line.filter_result, line.trap_hits) for line in parsed.lines] == [("192.0.2.10", "green", 3)]
    assert parsed.skipped == [2]  # the header is not an error; the line without an address is


def test_complaint_rates():
    assert snds_csv.parse_rate("< 0.1%") == (Decimal("0.1"), True)
    assert snds_csv.parse_rate("2.3%") == (Decimal("2.3"), False)
    assert snds_csv.parse_rate("") == (None, False)
    assert snds_csv.parse_rate("n/a") == (None, False)
    assert snds_csv.parse_rate("NaN%") == (None, False)


def test_blocked_ranges():
    (block,) = snds_csv.parse_status(STATUS + b"198.51.100.1,198.51.100.9,No,not blocked\r\n")
    assert (block.first_ip, block.last_ip) == ("192.0.2.11", "192.0.2.11")
    assert block.covers("192.0.2.11") and not block.covers("192.0.2.10") and not block.covers("2001:db8::1")


def test_a_web_page_is_not_data():
    assert snds_csv.looks_like_html(b"\xef\xbb\xbf\r\n<!DOCTYPE html><html>")
    assert not snds_csv.looks_like_html(DATA)
