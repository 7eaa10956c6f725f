"""Turn raw RFC 5322 bytes into what the case pipeline needs. Pure: no ORM. Never raises on bad input.

Bytes are parsed as bytes (``email.message_from_bytes`` with the compat32 policy: the MIME tree and payloads
without building a structured object per header; the few headers we read are decoded here); text parts are decoded
with their declared charset, and when that charset is unknown or wrong, with the charsets Polish mail
actually uses (UTF-8, windows-1250, ISO-8859-2) before giving up with replacement characters. HTML is
sanitised with nh3 before anything shows it.
"""

import email
import email.policy
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses

import nh3

FALLBACK_CHARSETS = ("utf-8", "windows-1250", "iso-8859-2")
MSGID = re.compile(r"<([^<>\s@]+@[^<>\s@]+)>")
# Lines that start the quoted previous message, in English and Polish clients.
QUOTE_STARTS = re.compile(
    r"^(On [^\n]{5,200}(\n[^\n]{0,120})?wrote:\s*$|"
    r"W dniu [^\n]{5,200}(\n[^\n]{0,120})?(pisze|napisał\(a\)|napisał|napisała):\s*$|"
    r"-{2,}\s*(Original Message|Oryginalna wiadomość|Forwarded message|Wiadomość przekazana dalej)\s*-{2,}|"
    r"(From|Od): .+$|_{10,}\s*$)",
    re.IGNORECASE | re.MULTILINE,
)


@dataclass
class Attachment:
    name: str
    content_type: str
    data: bytes


@dataclass
class Parsed:
    message_id: str = ""
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    subject: str = ""
    in_reply_to: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names, first occurrence
    auth_results: list[str] = field(default_factory=list)  # every Authentication-Results, topmost first
    text: str = ""
    quoted: str = ""
    html: str = ""  # sanitised
    attachments: list[Attachment] = field(default_factory=list)
    is_report: bool = False  # multipart/report (delivery status)
    report_original_ids: list[str] = field(default_factory=list)
    report_recipients: list[str] = field(default_factory=list)
    report_status: str = ""
    defects: list[str] = field(default_factory=list)

    @property
    def sender(self) -> str | None:
        return self.senders[0] if len(self.senders) == 1 else None

    @property
    def thread_ids(self) -> list[str]:
        """Message-IDs this one answers: In-Reply-To first, then References read right to left."""
        seen, out = set(), []
        for mid in [*self.in_reply_to, *reversed(self.references)]:
            if mid not in seen:
                seen.add(mid)
                out.append(mid)
        return out


def _raw_headers(msg) -> dict[str, list[str]]:
    """Header values as they came (no per-header parsing: the structured header classes are costly and
    choke on broken input); decoding is done by ``_decode`` for the few headers we read."""
    index: dict[str, list[str]] = {}
    try:
        items = msg.raw_items()
        for name, value in items:
            index.setdefault(str(name).lower(), []).append(str(value))
    except Exception:  # noqa: BLE001, S110 - a header block the parser cannot read counts as empty
        pass
    return index


def _decode(raw: str) -> str:
    """A header value as text, whatever state it is in (folding, broken encoded-words, raw 8-bit bytes)."""
    text = raw
    if any("\udc80" <= ch <= "\udcff" for ch in text):  # raw 8-bit bytes: decode like a body, charset repaired
        data = text.encode("ascii", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = max((data.decode(c, errors="replace") for c in ("windows-1250", "iso-8859-2")), key=_polish_score)
    text = re.sub(r"\r?\n[ \t]+", " ", text)
    if "=?" in text:  # encoded-words: the standard library's lenient decoder, our fallback for broken ones
        try:
            text = str(email.policy.default.header_fetch_parse("Subject", text))
        except Exception:  # noqa: BLE001
            try:
                text = str(make_header(decode_header(text)))
            except Exception:  # noqa: BLE001, S110 - keep the raw text of a broken encoded-word
                pass
    # Refuse CR/LF smuggled into a value (header injection on the way back out).
    return re.sub(r"[\r\n]+\s*", " ", text).strip()


def _header(index: dict[str, list[str]], name: str) -> str:
    values = index.get(name.lower())
    return _decode(values[0]) if values else ""


def _all_headers(index: dict[str, list[str]], name: str) -> list[str]:
    """Every value of a header. Address headers go through the standard library's address parser, which
    quotes display names (a comma or an encoded line break in a name never makes a second address)."""
    values = []
    for raw in index.get(name.lower(), []):
        try:
            value = str(email.policy.default.header_fetch_parse(name, raw))
        except Exception:  # noqa: BLE001 - unparseable (e.g. a line break encoded in a name): drop the names
            value = re.sub(r"=\?[^?\s]*\?[bBqQ]\?[^?\s]*\?=", "", raw)
        values.append(re.sub(r"[\r\n]+[ \t]*", " ", value))
    return values


def _addresses(values: list[str]) -> list[str]:
    found = []
    for _name, addr in getaddresses(values):
        addr = addr.strip().lower()
        if "@" in addr and " " not in addr and len(addr) <= 254:
            found.append(addr)
    return found


POLISH_LETTERS = frozenset("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ")
# Polish mail is often labelled windows-1250 while written in ISO-8859-2, or the other way round (or
# labelled Latin-1): both decode without error, one of them into nonsense.
CENTRAL_EUROPEAN = {
    "windows-1250",
    "cp1250",
    "iso-8859-2",
    "latin2",
    "iso8859-2",
    "iso-8859-1",
    "latin1",
    "windows-1252",
    "cp1252",
}


def _polish_score(text: str) -> int:
    return sum(ch in POLISH_LETTERS for ch in text)


def decode_part(part) -> str:
    payload = part.get_payload(decode=True)
    if payload is None:
        return ""
    charset = (part.get_content_charset() or "utf-8").lower()
    if charset in CENTRAL_EUROPEAN and any(b > 0x7F for b in payload):
        readings = [payload.decode(c, errors="replace") for c in (charset, "windows-1250", "iso-8859-2")]
        return max(readings, key=_polish_score)  # max keeps the declared charset on a tie
    for candidate in (charset, *FALLBACK_CHARSETS):
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return payload.decode("utf-8", errors="replace")


def html_to_text(html: str) -> str:
    text = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>|</li>|</h\d>", "\n", html)
    text = nh3.clean(text, tags=set())
    text = re.sub(r"&nbsp;", " ", text)
    import html as html_lib

    return re.sub(r"\n{3,}", "\n\n", html_lib.unescape(text)).strip()


def split_quoted(text: str) -> tuple[str, str]:
    """The new text and the quoted previous message below it (collapsed in the timeline)."""
    match = QUOTE_STARTS.search(text)
    head, tail = (text[: match.start()], text[match.start() :]) if match else (text, "")
    lines = head.rstrip().split("\n")
    # A trailing block of "> " lines without a header is quoted too.
    cut = len(lines)
    while cut > 0 and (lines[cut - 1].startswith(">") or not lines[cut - 1].strip()):
        cut -= 1
    if cut < len(lines) and cut > 0:
        tail = "\n".join(lines[cut:]) + ("\n" + tail if tail else "")
        head = "\n".join(lines[:cut])
    return head.strip(), tail.strip()


def parse(raw: bytes) -> Parsed:
    result = Parsed()
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    except Exception as exc:  # noqa: BLE001 - unparseable bytes: the caller quarantines with this reason
        result.defects.append(f"unparseable: {type(exc).__name__}")
        return result
    result.defects += [type(d).__name__ for d in getattr(msg, "defects", [])]
    index = _raw_headers(msg)
    ids = MSGID.findall(_header(index, "Message-ID"))
    result.message_id = ids[0].lower() if ids else ""
    result.senders = _addresses(_all_headers(index, "From"))
    result.recipients = _addresses(
        _all_headers(index, "To") + _all_headers(index, "Cc") + _all_headers(index, "Delivered-To")
    )
    result.subject = _header(index, "Subject")[:500]
    result.auth_results = [_decode(value)[:4000] for value in index.get("authentication-results", [])[:50]]
    result.in_reply_to = [m.lower() for m in MSGID.findall(_header(index, "In-Reply-To"))]
    result.references = [m.lower() for m in MSGID.findall(" ".join(_all_headers(index, "References")))]
    for name in (
        "authentication-results",
        "auto-submitted",
        "precedence",
        "x-autoreply",
        "x-autorespond",
        "x-failed-recipients",
        "return-path",
        "list-id",
        "list-unsubscribe",
        "x-auto-response-suppress",
        "content-type",
        "date",
    ):
        value = _header(index, name)
        if value:
            result.headers[name] = value[:500]
    try:
        _read_body(msg, result)
    except Exception as exc:  # noqa: BLE001 - a body we cannot walk still leaves the headers usable
        result.defects.append(f"body: {type(exc).__name__}")
    return result


def _read_body(msg: Message, result: Parsed) -> None:
    if msg.get_content_type() == "multipart/report":
        result.is_report = True
        _read_report(msg, result)
    text_part = html_part = None
    for part in _leaf_parts(msg):
        ctype = part.get_content_type()
        if ctype == "message/rfc822" and not result.is_report:  # a forwarded message: kept whole, as .eml
            inner = part.get_payload(0) if part.is_multipart() else part.get_payload()
            data = inner.as_bytes() if hasattr(inner, "as_bytes") else str(inner).encode("utf-8", "replace")
            name = _clean_filename(_decode(part.get_filename() or "forwarded-message"))
            name = name if name.lower().endswith(".eml") else name + ".eml"
            result.attachments.append(Attachment(name=name, content_type="message/rfc822", data=data))
            continue
        disposition = (part.get_content_disposition() or "").lower()
        filename = part.get_filename()
        filename = _decode(str(filename)) if filename else None
        if disposition == "attachment" or (filename and ctype not in ("text/plain", "text/html")):
            data = part.get_payload(decode=True) or b""
            name = _clean_filename(filename or "attachment")
            result.attachments.append(Attachment(name=name, content_type=ctype, data=data))
        elif ctype == "text/plain" and text_part is None:
            text_part = part
        elif ctype == "text/html" and html_part is None:
            html_part = part
    if html_part is not None:
        result.html = nh3.clean(decode_part(html_part))
    text = decode_part(text_part) if text_part is not None else html_to_text(result.html)
    text = text.replace("\r\n", "\n").replace("\x00", "")
    result.text, result.quoted = split_quoted(text)


def _leaf_parts(msg):
    """Every non-multipart part, a message/rfc822 part counting as one leaf (not walked into)."""
    if msg.get_content_type() == "message/rfc822":
        yield msg
        return
    if not msg.is_multipart():
        yield msg
        return
    for part in msg.get_payload():
        if hasattr(part, "get_content_type"):
            yield from _leaf_parts(part)


def _clean_filename(name: str) -> str:
    name = re.sub(r"[\x00-\x1f/\\]+", "_", str(name)).strip() or "attachment"
    return name[-200:]


def _read_report(msg: Message, result: Parsed) -> None:
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            body = part.get_payload()
            text = "\n".join(str(p) for p in body) if isinstance(body, list) else str(body)
            for line in text.splitlines():
                key, _, value = line.partition(":")
                key = key.strip().lower()
                if key in ("final-recipient", "original-recipient"):
                    addr = value.split(";")[-1].strip().lower()
                    if "@" in addr and addr not in result.report_recipients:
                        result.report_recipients.append(addr)
                elif key == "status" and not result.report_status:
                    result.report_status = value.strip()[:20]
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            inner = part.get_payload()
            if isinstance(inner, list) and inner:
                inner = inner[0]
            text = inner.as_string() if hasattr(inner, "as_string") else str(inner)
            for line in text.splitlines():
                if line.lower().startswith("message-id:"):
                    result.report_original_ids += [m.lower() for m in MSGID.findall(line)]
