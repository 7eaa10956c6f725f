"""Our own Message-IDs, signed so a reply's In-Reply-To/References can be trusted to name a case and who the
email went to, and the case token in subjects (``[ACME-000042]``).

A notification's Message-ID ends its tag with the audience of that copy: ``-s`` for the copy rendered for
staff only (TAMs, agents), ``-c`` for the customer's copy. The tag is inside the signature, so nobody can turn
a staff copy into a customer copy; Message-IDs sent before this was read carry the same tags."""

import re

from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac

SALT = "cases.email.message-id"
STAFF_COPY, CUSTOMER_COPY = "s", "c"
SUBJECT_TOKEN = re.compile(r"\[([A-Z0-9]{1,16}-\d{6})\]")


def domain() -> str:
    return settings.CASE_MAIL_DOMAIN.lower()


def _sig(value: str) -> str:
    return salted_hmac(SALT, value).hexdigest()[:20]


def message_id(case_id: int, tag: str) -> str:
    """``<c42.e1077-pl.<sig>@domain>``: names the case and cannot be forged without SECRET_KEY."""
    body = f"c{case_id}.{tag}"
    return f"<{body}.{_sig(body)}@{domain()}>"


def notification_id(case_id: int, event_id: int, language: str, *, staff: bool) -> str:
    return message_id(case_id, f"e{event_id}-{language}-{STAFF_COPY if staff else CUSTOMER_COPY}")


def thread_root(case_id: int) -> str:
    return message_id(case_id, "root")


ID_SHAPE = re.compile(r"^(c(\d+)\.[a-z0-9-]+)\.([0-9a-f]{20})@(.+)$")


def _verified(mid: str) -> re.Match | None:
    match = ID_SHAPE.match(mid.strip("<>").lower())
    if not match or match.group(4) != domain():
        return None
    if not constant_time_compare(match.group(3), _sig(match.group(1))):
        return None
    return match


def case_id_from(mid: str) -> int | None:
    """The case a Message-ID of ours names, if the signature holds; ``None`` for anything else."""
    match = _verified(mid)
    return int(match.group(2)) if match else None


def audience_of(mid: str) -> str | None:
    """``STAFF_COPY`` or ``CUSTOMER_COPY`` for a signed notification Message-ID of ours; ``None`` for the
    thread root (every copy refers to it) and for anything that is not ours or not signed."""
    match = _verified(mid)
    if not match:
        return None
    tag = match.group(1).rsplit("-", 1)
    return tag[1] if len(tag) == 2 and tag[1] in (STAFF_COPY, CUSTOMER_COPY) else None


def is_ours(mid: str) -> bool:
    return mid.strip("<>").lower().endswith("@" + domain())


def subject_tokens(subject: str) -> list[str]:
    return SUBJECT_TOKEN.findall(subject.upper())


def message_id_of_header_block(head: bytes) -> str:
    """The Message-ID in a raw header block, without parsing the whole message (for fingerprints)."""
    text = head.decode("latin-1").replace("\r\n", "\n")
    for line in re.split(r"\n(?![ \t])", text):
        name, _, value = line.partition(":")
        if name.strip().lower() == "message-id":
            return value.strip().lower()
    return ""
