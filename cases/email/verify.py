"""Who really sent an inbound message, as far as our receiving MTA could tell (ASVS V5/V12; issue 14).

The From header is whatever the sender typed. We believe it only on the verdict of *our* MTA, written in an
``Authentication-Results`` header (RFC 8601) that carries our ``INBOUND_AUTHSERV_ID``:

- Headers with another authserv-id are ignored (RFC 8601 section 5: anyone can add one, claiming anything).
  Of ours, the topmost is the verdict: our MTA prepends it, and removes (or is configured to remove) copies
  with its own id that came with the message.
- DMARC decides when our MTA evaluated it for the From domain (``dmarc=pass header.from=<domain>``): pass is
  believed; fail, quarantine, reject, temperror or permerror is not, whatever DKIM or SPF said.
- No DMARC verdict for the domain (``dmarc=none``: the domain publishes no policy, or no DMARC result at all):
  a DKIM pass or an SPF pass whose domain is aligned with the From domain (RFC 7489 section 3.1, relaxed
  alignment: the same organisational domain, from the public suffix list) is what DMARC itself would accept.
- Comments (parenthesised) and quoted values are never read as results.

Without ``INBOUND_AUTHSERV_ID`` (development; production only with ``INBOUND_UNVERIFIED_SENDERS=true``) no
header can be trusted: the message is taken as it comes and marked "unverified".
"""

import re
from dataclasses import dataclass
from functools import cache

from django.conf import settings

from core.text import Msg, Text, _, to_json

from .parse import Parsed

# How a sender was verified, stored with the message and on its timeline entry (``details["sender"]``).
DMARC, DKIM, SPF = "dmarc", "dkim", "spf"
UNVERIFIED, RELEASED, PORTAL, PHONE = "unverified", "released", "portal", "phone"
AUTHENTICATED = (DMARC, DKIM, SPF)  # customers see "verified by ..." for these

NOT_CONFIGURED = _("unverified: sender authentication is not configured (INBOUND_AUTHSERV_ID)")
PORTAL_SIGN_IN = _("portal sign-in")
PHONE_INTAKE = _("phone intake")
RELEASED_BY = _("unverified — released by %(name)s")
TEXTS = {PORTAL: PORTAL_SIGN_IN, PHONE: PHONE_INTAKE}


@dataclass(frozen=True)
class Verdict:
    how: str  # one of the constants above; "" when not believed
    text: Msg | Text  # what staff read: "dmarc=pass header.from=globex.test", "dkim=pass d=globex.test", ...

    @property
    def believed(self) -> bool:
        return bool(self.how)

    def stamp(self) -> dict:
        """The form kept in ``CaseEvent.details["sender"]``."""
        return {"how": self.how, "text": to_json(self.text)}


def _strip_comments(value: str) -> str:
    """The header without (comments), nested ones included; quoted strings are kept as they are."""
    out, depth, quoted, escaped = [], 0, False, False
    for ch in value:
        if escaped:
            escaped = False
            if depth == 0:
                out.append(ch)
            continue
        if ch == "\\":
            escaped = True
            if depth == 0:
                out.append(ch)
        elif quoted:
            quoted = ch != '"'
            out.append(ch)
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth == 0:
            quoted = ch == '"'
            out.append(ch)
    return "".join(out)


TOKEN = re.compile(r'\s*(?:(;)|([^\s=;"]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^\s;"]*)|("(?:[^"\\]|\\.)*"|[^\s;=]+))')


def results_of(value: str) -> tuple[str, list[tuple[str, str, dict]]]:
    """(authserv-id, [(method, result, {property: value})]) of one Authentication-Results header."""
    statements: list[list] = [[]]
    for semi, key, val, word in TOKEN.findall(_strip_comments(value)):
        if semi:
            statements.append([])
        elif key:
            statements[-1].append((key.lower(), val.strip('"').lower()))
        elif word:
            statements[-1].append((word.lower().strip('"'), None))
    head, *resinfos = statements
    authserv_id = next((w for w, v in head if v is None), "")
    found = []
    for resinfo in resinfos:
        pairs = [(k, v) for k, v in resinfo if v is not None]
        if not pairs:
            continue
        (method, result), props = pairs[0], dict(pairs[1:])
        found.append((method.split("/", 1)[0], result, props))
    return authserv_id, found


def ours(parsed: Parsed, authserv_id: str) -> list[tuple[str, str, dict]] | None:
    """The results of the topmost Authentication-Results with our authserv-id; None when there is none."""
    for value in parsed.auth_results:
        server, found = results_of(value)
        if server == authserv_id.lower():
            return found
    return None


@cache
def _suffixes():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def organisational(domain: str) -> str:
    """RFC 7489 section 3.2: the registered domain (``mail.globex.test`` → ``globex.test``)."""
    domain = domain.strip(".").lower()
    return _suffixes().privatesuffix(domain) or domain


def aligned(domain: str, other: str) -> bool:
    other = other.rsplit("@", 1)[-1].strip(".").lower()
    return bool(other) and (other == domain or organisational(other) == organisational(domain))


def verify(parsed: Parsed, sender: str) -> Verdict:
    """How ``sender`` (the single From address) was verified; ``how`` is empty when it was not."""
    authserv_id = settings.INBOUND_AUTHSERV_ID
    if not authserv_id:
        return Verdict(UNVERIFIED, NOT_CONFIGURED)
    domain = sender.rsplit("@", 1)[-1].lower()
    found = ours(parsed, authserv_id)
    if found is None:
        return Verdict("", _("no Authentication-Results from %(server)s") % {"server": authserv_id})
    for method, result, props in found:
        if method == "dmarc" and props.get("header.from", "").strip(".") == domain and result != "none":
            text = Text([f"dmarc={result} header.from={domain}"])
            return Verdict(DMARC if result == "pass" else "", text)
    for method, result, props in found:
        if method == "dkim" and result == "pass":
            signer = props.get("header.d") or props.get("header.i", "")
            if aligned(domain, signer):
                return Verdict(DKIM, Text([f"dkim=pass d={signer.rsplit('@', 1)[-1]}"]))
    for method, result, props in found:
        if method == "spf" and result == "pass" and aligned(domain, props.get("smtp.mailfrom", "")):
            return Verdict(SPF, Text([f"spf=pass smtp.mailfrom={props['smtp.mailfrom']}"]))
    summary = "; ".join(f"{method}={result}" for method, result, _props in found) or "none"
    return Verdict("", Text([summary]))
