"""A DMARC aggregate report file (RFC 7489 appendix C) to plain rows. Pure: no ORM, no DNS, no network.

The file is a zip, a gzip or plain XML (what Google, Microsoft and Yahoo send). It is unpacked with a hard
limit on the unpacked size (a zip or gzip bomb is refused), then parsed with defusedxml with DTDs forbidden:
a report never needs one, so entity declarations (billion laughs, external entities) are refused before any
expansion. Element names are matched without their namespace (DMARCbis and some reporters add one).

Why not parsedmarc: its parser module imports its whole output stack (Elasticsearch, OpenSearch, Kafka,
S3, Azure, Gmail and Microsoft Graph clients, GeoIP, mailsuite); its aggregate parser is xmltodict plus
field normalisation, which is what this module does with defusedxml, keeping our dependencies to one
small library. Each refusal says why, as a message translated when shown.
"""

import gzip
import io
import ipaddress
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, fromstring

from core.text import Msg, _

MAX_XML_BYTES = 64 * 1024 * 1024  # a day of reports for a big sender is a few MB unpacked
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9_-]{1,63}$")
RESULTS = {"pass", "fail", "none", "neutral", "softfail", "temperror", "permerror", "policy"}
DISPOSITIONS = {"none", "quarantine", "reject"}


class Refused(Exception):
    """The file is not a report we can count; ``reason`` says why (a ``Msg``)."""

    def __init__(self, reason: Msg):
        super().__init__(str(reason.msgid))
        self.reason = reason


@dataclass(frozen=True)
class Row:
    day: date
    domain: str
    source_ip: str
    spf: str
    dkim: str
    spf_aligned: bool
    dkim_aligned: bool
    disposition: str
    messages: int


@dataclass
class Report:
    org_name: str
    report_id: str
    domain: str
    begins: datetime
    ends: datetime
    rows: list[Row] = field(default_factory=list)

    @property
    def messages(self) -> int:
        return sum(row.messages for row in self.rows)


def unpack(data: bytes, *, limit: int = MAX_XML_BYTES) -> bytes:
    """The XML inside a zip or gzip (or the bytes themselves), refused beyond ``limit`` bytes unpacked."""
    if data[:4] == b"PK\x03\x04":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                members = [m for m in archive.infolist() if not m.is_dir()]
                if len(members) != 1:
                    raise Refused(_("the zip file holds %(n)s files, not one report") % {"n": len(members)})
                with archive.open(members[0]) as member:
                    return _read_capped(member, limit)
        except (zipfile.BadZipFile, EOFError, NotImplementedError, zlib.error) as exc:
            raise Refused(_("the zip file is broken: %(error)s") % {"error": str(exc)[:200]}) from exc
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as member:
                return _read_capped(member, limit)
        except (OSError, EOFError, zlib.error) as exc:
            raise Refused(_("the gzip file is broken: %(error)s") % {"error": str(exc)[:200]}) from exc
    if len(data) > limit:
        raise Refused(_("the report is larger than %(limit)s bytes") % {"limit": f"{limit:,}"})
    return data


def _read_capped(stream, limit: int) -> bytes:
    data = stream.read(limit + 1)  # never more than the limit is unpacked, whatever the header claims
    if len(data) > limit:
        raise Refused(_("the report is larger than %(limit)s bytes unpacked") % {"limit": f"{limit:,}"})
    return data


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, name):
    if element is None:
        return None
    return next((c for c in element if _local(c.tag) == name), None)


def _children(element, name):
    return [c for c in element if _local(c.tag) == name] if element is not None else []


def _text(element, *path: str) -> str:
    for name in path:
        element = _child(element, name)
    return (element.text or "").strip() if element is not None else ""


def parse(data: bytes) -> Report:
    """The report in a file as it arrived; ``Refused`` with the reason when it cannot be counted."""
    xml = unpack(data)
    try:
        root = fromstring(xml, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise Refused(_("the XML declares a DTD or entities (refused as hostile)")) from exc
    except (ParseError, ValueError) as exc:
        raise Refused(_("the XML is broken: %(error)s") % {"error": str(exc)[:200]}) from exc
    if _local(root.tag) != "feedback":
        raise Refused(_("not a DMARC aggregate report (no <feedback> element)"))
    meta = _child(root, "report_metadata")
    org, report_id = _text(meta, "org_name"), _text(meta, "report_id")
    if not org or not report_id:
        raise Refused(_("the report names no organisation or no report id"))
    begins, ends = _time(_text(meta, "date_range", "begin")), _time(_text(meta, "date_range", "end"))
    published = _text(root, "policy_published", "domain").lower().rstrip(".")
    if not DOMAIN.match(published):
        raise Refused(_("the report's domain is not a domain name: %(value)s") % {"value": published[:80]})
    report = Report(org[:200], report_id[:200], published[:253], begins, ends)
    day = report_day(begins, ends)
    for record in _children(root, "record"):
        report.rows.append(_row(record, day, published))
    if not report.rows:
        raise Refused(_("the report has no records"))
    return report


def report_day(begins: datetime, ends: datetime) -> date:
    """The day a report's records count on: the UTC date of the middle of its date range.

    Days are UTC days, for every reader: receivers cut their daily reports at 00:00 UTC (RFC 7489 section 7.2
    asks 24-hour reports to begin at 00:00 UTC so that reports from different receivers line up), so a
    report's messages belong to one UTC day, and shifting them into a reader's zone would split one report
    over two days by guesswork. The middle of the range keeps a report that starts or ends a few seconds off
    midnight (or covers 00:00 to 00:00 the next day) on its own day. The pages say "UTC days"."""
    return datetime.fromtimestamp((begins.timestamp() + ends.timestamp()) / 2, UTC).date()


def _time(value: str) -> datetime:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise Refused(_("the report's date range is not a Unix time: %(value)s") % {"value": value[:40]}) from exc


def _row(record, day: date, published: str) -> Row:
    row = _child(record, "row")
    ip = _text(row, "source_ip")
    try:
        ip = str(ipaddress.ip_address(ip))
    except ValueError as exc:
        raise Refused(_("a record's source IP is not an address: %(value)s") % {"value": ip[:60]}) from exc
    count = _text(row, "count")
    if not count.isdigit():
        raise Refused(_("a record's count is not a number: %(value)s") % {"value": count[:40]})
    evaluated = _child(row, "policy_evaluated")
    auth = _child(record, "auth_results")
    dkim = [_text(d, "result").lower() for d in _children(auth, "dkim")]
    spf = [_text(s, "result").lower() for s in _children(auth, "spf")]
    disposition = _text(evaluated, "disposition").lower()
    header_from = _text(record, "identifiers", "header_from").lower().rstrip(".")
    return Row(
        day=day,
        domain=header_from if DOMAIN.match(header_from) else published,  # never a name that is no domain
        source_ip=ip,
        spf=_result(spf[0] if spf else "none"),
        dkim=_result("pass" if "pass" in dkim else (dkim[0] if dkim else "none")),
        spf_aligned=_text(evaluated, "spf").lower() == "pass",
        dkim_aligned=_text(evaluated, "dkim").lower() == "pass",
        disposition=disposition if disposition in DISPOSITIONS else "none",
        messages=int(count),
    )


def _result(value: str) -> str:
    return value if value in RESULTS else "none"
