"""Reading Microsoft SNDS's automated-data-access answers, without the ORM (issue 19).

data.aspx answers one CSV line per IP (shared/facts/reputation.md): IP address, activity start, activity
end, RCPT commands, DATA commands, message recipients, filter result (GREEN / YELLOW / RED), complaint rate
("< 0.1%", "2.3%"), trap message start, trap message end, trap hits, sample HELO, sample MAIL FROM (and
sometimes a comment). ipStatus.aspx answers one line per blocked range: first IP, last IP, "Yes", detail.

Read with the ``csv`` module, forgiving what a spreadsheet or a proxy does to a file: a byte-order mark,
CRLF or LF, blank lines (also at the end), spaces around cells, a header line, lines cut short before the
trap columns (then the trap figures are unknown, not zero), a colour nobody documented ("unknown", the
word kept), "0,5%" with a decimal comma. A line that cannot be read (no IP address, no day) is skipped
and counted, never the whole answer. Times are read as UTC (SNDS gives no zone); the day of a line is
the day its activity started.

sndslib (PyPI) was looked at and not used: it splits lines on commas by hand, reads the wrong column for
MAIL FROM and fetches with its own ``urlopen`` (our outbound HTTP goes through ``core.netguard``).
"""

import csv
import io
import ipaddress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation

FILTERS = {"GREEN": "green", "YELLOW": "yellow", "RED": "red"}
TIME_FORMATS = ("%m/%d/%Y %I:%M %p", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y")
MAX_TEXT = {"helo": 255, "mail_from": 320}


@dataclass(frozen=True)
class Line:
    ip: str
    day: date
    activity_start: datetime | None
    activity_end: datetime | None
    rcpt_commands: int
    data_commands: int
    recipients: int
    filter_result: str  # green / yellow / red / unknown
    filter_raw: str
    complaint_text: str
    complaint_rate: Decimal | None  # percent
    complaint_below: bool
    trap_start: datetime | None
    trap_end: datetime | None
    trap_hits: int | None  # None: the line has no trap columns
    sample_helo: str
    sample_mail_from: str


@dataclass(frozen=True)
class Block:
    first_ip: str
    last_ip: str
    detail: str

    def covers(self, ip: str) -> bool:
        try:
            address = ipaddress.ip_address(ip)
            return ipaddress.ip_address(self.first_ip) <= address <= ipaddress.ip_address(self.last_ip)
        except (TypeError, ValueError):  # v4 against v6: not in the range
            return False


@dataclass
class Parsed:
    lines: list[Line] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # line numbers that could not be read


def _rows(data: bytes):
    text = data.decode("utf-8-sig", errors="replace")
    for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
        cells = [cell.strip() for cell in row]
        if any(cells):
            yield number, cells


def _ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def parse_time(value: str) -> datetime | None:
    value = " ".join(value.split()).upper()
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(value, pattern).replace(tzinfo=UTC)  # noqa: DTZ007 - SNDS times are UTC
        except ValueError:
            continue
    return None


def _count(value: str) -> int:
    digits = value.replace(",", "").replace(" ", "")
    return int(digits) if digits.isdigit() else 0


def parse_rate(value: str) -> tuple[Decimal | None, bool]:
    """ "< 0.1%" -> (0.1, below); "2.3%" -> (2.3, not below); "" or unreadable -> (None, False)."""
    text = value.replace(" ", "")
    below = text.startswith("<")
    number = text.lstrip("<").rstrip("%").replace(",", ".")
    try:
        rate = Decimal(number)
    except InvalidOperation:
        return None, False
    return (rate, below) if rate.is_finite() and 0 <= rate <= 100 else (None, False)


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def _line(cells: list[str], day: date | None) -> Line | None:
    ip = _ip(_cell(cells, 0))
    start, end = parse_time(_cell(cells, 1)), parse_time(_cell(cells, 2))
    day = start.date() if start else (end.date() if end else day)
    if ip is None or day is None:
        return None
    raw = _cell(cells, 6)
    rate, below = parse_rate(_cell(cells, 7))
    traps = _cell(cells, 10)
    return Line(
        ip=ip,
        day=day,
        activity_start=start,
        activity_end=end,
        rcpt_commands=_count(_cell(cells, 3)),
        data_commands=_count(_cell(cells, 4)),
        recipients=_count(_cell(cells, 5)),
        filter_result=FILTERS.get(raw.upper(), "unknown"),
        filter_raw=raw[:20],
        complaint_text=_cell(cells, 7)[:20],
        complaint_rate=rate,
        complaint_below=below,
        trap_start=parse_time(_cell(cells, 8)),
        trap_end=parse_time(_cell(cells, 9)),
        trap_hits=_count(traps) if len(cells) > 10 else None,
        sample_helo=_cell(cells, 11)[: MAX_TEXT["helo"]],
        sample_mail_from=_cell(cells, 12)[: MAX_TEXT["mail_from"]],
    )


def parse_data(data: bytes, *, day: date | None = None) -> Parsed:
    """data.aspx's lines. ``day``: the day asked for, used when a line carries no activity times."""
    parsed = Parsed()
    for number, cells in _rows(data):
        line = _line(cells, day)
        if line is None:
            if number > 1 or _ip(cells[0]):  # a first line that is not an address is a header: not an error
                parsed.skipped.append(number)
            continue
        parsed.lines.append(line)
    return parsed


def parse_status(data: bytes) -> list[Block]:
    """ipStatus.aspx's blocked ranges (a line whose third cell is not "Yes" is not a block)."""
    blocks = []
    for _number, cells in _rows(data):
        first, last = _ip(_cell(cells, 0)), _ip(_cell(cells, 1)) or _ip(_cell(cells, 0))
        if first and last and _cell(cells, 2).lower() in {"yes", "true", "blocked"}:
            blocks.append(Block(first, last, ",".join(cells[3:])[:300]))
    return blocks


def looks_like_html(data: bytes) -> bool:
    """A sign-in or error page instead of data (a proxy, an expired key on some front ends)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype", b"<html", b"<?xml", b"<head", b"<body"))
