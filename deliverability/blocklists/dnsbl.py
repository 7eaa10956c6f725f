"""DNS blocklists without the ORM: targets, query names, answer decoding (the RFC 5782 health check: ``probes.py``).

MISSION: DLV-2. The facts this follows are in ``shared/facts/dnsbl.md``:

- an IPv4 address is queried with its octets reversed, an IPv6 address with the 32 nibbles of its
  *exploded* form reversed (``dns.reversename`` would turn ``::ffff:a.b.c.d`` into in-addr.arpa form),
  a domain as it is, or as its registered domain (public suffix list) for URIBL-style lists;
- NXDOMAIN means "not listed"; an A record inside 127.0.0.0/8 is a code to decode *per list*;
- documented error codes (Spamhaus 127.255.255.25x, URIBL/SURBL 127.0.0.1 "refused"), SERVFAIL,
  REFUSED and timeouts are errors; an undocumented code or an address outside 127/8 is unknown.
  Neither is ever reported as listed or as clear.
"""

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from socket import inet_ntoa
from urllib.parse import urlsplit

import dns.exception
import dns.name
import dns.rcode
from django.utils.translation import gettext  # a TargetError is said to the person typing, at once

from core.text import Msg, Text, _, join  # answers and health are read later, in the reader's language

MAX_EXPANSION = 256  # a CIDR may name at most this many addresses (an IPv4 /24)
LOOPBACK = ipaddress.ip_network("127.0.0.0/8")


class Kind(StrEnum):
    IP4 = "ip4"
    IP6 = "ip6"
    DOMAIN = "domain"


class Status(StrEnum):
    LISTED = "listed"
    CLEAR = "clear"
    ERROR = "error"
    UNKNOWN = "unknown"

    @property
    def conclusive(self) -> bool:
        return self in (Status.LISTED, Status.CLEAR)


class TargetError(ValueError):
    """Input that is not an IP address, a small network or a domain name; the message is for the user."""


@dataclass(frozen=True, order=True)
class Target:
    kind: Kind
    value: str  # canonical: compressed IPv4/IPv6 text, or a lower-case IDNA (punycode) domain

    def __str__(self):
        return self.value


def parse_target(text: str) -> Target:
    """One IP address or domain name, canonicalised. IPv4-mapped IPv6 addresses become IPv4."""
    raw = (text or "").strip().rstrip(".")
    if not raw:
        raise TargetError(gettext("Enter an IP address or a domain name."))
    if "%" in raw:  # fe80::1%eth0: a link-local address with a zone index never sends mail to the internet
        raise TargetError(gettext("“%(text)s” is neither an IP address nor a domain name.") % {"text": raw})
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return Target(Kind.DOMAIN, _domain(raw))
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return Target(Kind.IP4 if address.version == 4 else Kind.IP6, address.compressed)


def host_of_url(raw: str) -> str:
    """``https://mail.example.com:443/x`` -> ``mail.example.com``; text that is no URL is returned as it is;
    a URL without a host raises ``TargetError`` ("enter a domain, not a URL")."""
    if "://" not in raw and not raw.lower().startswith(("http:", "https:", "mailto:")):
        return raw
    try:
        parts = urlsplit(raw if "://" in raw or raw.lower().startswith("mailto:") else raw.replace(":", "://", 1))
        host = parts.hostname or (parts.path.rpartition("@")[2] if parts.scheme == "mailto" else "")
    except ValueError:
        host = ""
    if not host:
        raise TargetError(gettext("“%(text)s” is a web address: enter a domain, not a URL.") % {"text": raw})
    return host


def expand_targets(text: str, *, limit: int = MAX_EXPANSION) -> list[Target]:
    """An address, a domain, or a network of at most ``limit`` addresses (``192.0.2.0/24``). A pasted URL
    (``https://mail.example.com/path``) is its host."""
    raw = host_of_url((text or "").strip())
    if "/" not in raw:
        return [parse_target(raw)]
    try:
        network = ipaddress.ip_network(raw, strict=True)
    except ValueError as exc:
        try:
            loose = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise TargetError(
                gettext("“%(text)s” is not a network in CIDR form, like 192.0.2.0/24.") % {"text": raw}
            ) from exc
        raise TargetError(
            gettext("“%(text)s” has host bits set; did you mean %(network)s?") % {"text": raw, "network": loose}
        ) from exc
    if network.num_addresses > limit:
        smallest = 32 - (limit.bit_length() - 1) if network.version == 4 else 128 - (limit.bit_length() - 1)
        raise TargetError(
            gettext("“%(text)s” has %(count)s addresses; add at most a /%(prefix)s (%(limit)s addresses) at a time.")
            % {"text": raw, "count": f"{network.num_addresses:,}", "prefix": smallest, "limit": limit}
        )
    if network.version == 4:  # canonical already (parse_target would read each again); text from the integers
        first = int(network.network_address)  # (ipaddress's objects cost ~4 us each: 40 ms of 10,000 addresses)
        return [Target(Kind.IP4, inet_ntoa(n.to_bytes(4, "big"))) for n in range(first, first + network.num_addresses)]
    return [parse_target(str(address)) for address in network]


def valid_zone(zone: str) -> bool:
    """A DNS zone a blocklist can be asked under: two or more hostname labels, at most 200 characters,
    no empty label (``bad..zone``); ``{key}`` may stand for a key's label."""
    labels = zone.replace("{key}", "key").split(".")
    return len(labels) >= 2 and len(zone) <= 200 and all(_hostname_label(label) for label in labels)


def _domain(raw: str) -> str:
    try:
        name = dns.name.from_text(raw.lower(), origin=dns.name.root)
        labels = [label.decode("ascii") for label in name.labels if label]
    except (dns.exception.DNSException, UnicodeError, ValueError) as exc:
        raise TargetError(gettext("“%(text)s” is neither an IP address nor a domain name.") % {"text": raw}) from exc
    if len(labels) < 2 or not all(_hostname_label(label) for label in labels) or labels[-1].isdigit():
        raise TargetError(gettext("“%(text)s” is neither an IP address nor a domain name.") % {"text": raw})
    return ".".join(labels)


def _hostname_label(label: str) -> bool:
    return (
        0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-" and all(c.isalnum() or c in "-_" for c in label)
    )


@cache
def _public_suffixes():
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList(only_icann=True)


def registered_domain(domain: str) -> str:
    """``mail.example.co.uk`` -> ``example.co.uk`` (the ICANN section of the public suffix list)."""
    return _public_suffixes().privatesuffix(domain) or domain


# --- The catalogue entry, as the checker sees it ---------------------------------------------------


@dataclass(frozen=True)
class Code:
    meaning: str
    policy: bool = False  # a policy flag (Spamhaus PBL, Abusix "no rDNS"), not a reputation listing


@dataclass(frozen=True)
class ZoneSpec:
    zone: str  # the catalogue name: zen.spamhaus.org
    kind: Kind
    codes: Mapping[str, Code] = field(default_factory=dict)  # exact answer -> meaning
    bits: Mapping[int, Code] = field(default_factory=dict)  # bitmask lists: bit of the last octet -> meaning
    errors: Mapping[str, str] = field(default_factory=dict)  # answer -> what went wrong
    ipv6: bool = False  # an IPv4 list that also answers IPv6 queries
    registered_domain: bool = False  # URIBL: query the registered domain, not the name given
    query_zone: str = ""  # the zone actually asked (a Spamhaus DQS key zone); the catalogue name if empty

    @property
    def asked_zone(self) -> str:
        return self.query_zone or self.zone

    def accepts(self, target: Target) -> bool:
        return self.accepts_kind(target.kind)

    def accepts_kind(self, kind: str) -> bool:
        if self.kind == Kind.DOMAIN:
            return kind == Kind.DOMAIN
        if kind == Kind.IP4:
            return self.kind == Kind.IP4
        return kind == Kind.IP6 and (self.kind == Kind.IP6 or self.ipv6)


def zone_spec(
    *,
    zone: str,
    kind: str,
    codes: Iterable[Mapping] = (),
    bits: Iterable[Mapping] = (),
    errors: Iterable[Mapping] = (),
    ipv6: bool = False,
    registered_domain: bool = False,
    query_zone: str = "",
) -> ZoneSpec:
    """Build a spec from the catalogue's JSON; raises ``ValueError`` naming the bad entry.

    ``codes``: ``[{"code": "127.0.0.2", "meaning": "SBL"}, {"code": "127.0.0.4-127.0.0.7", ...,
    "policy": true}]``; ``bits``: ``[{"bit": 8, "meaning": "phishing"}]``; ``errors``:
    ``[{"code": "127.255.255.254", "meaning": "..."}]``.
    """
    code_map: dict[str, Code] = {}
    for entry in codes:
        for address in _code_range(entry.get("code", "")):  # _code_range names the entry when it is bad
            code_map[address] = Code(str(entry.get("meaning", "")), bool(entry.get("policy", False)))
    bit_map: dict[int, Code] = {}
    for entry in bits:
        bit = int(entry.get("bit", 0))
        if bit <= 0 or bit > 255 or bit & (bit - 1):
            raise ValueError(f"bit {entry.get('bit')!r} is not a single bit of the last octet")
        bit_map[bit] = Code(str(entry.get("meaning", "")), bool(entry.get("policy", False)))
    error_map = {
        address: str(entry.get("meaning", "")) for entry in errors for address in _code_range(entry.get("code", ""))
    }
    return ZoneSpec(
        zone=zone.strip().strip(".").lower(),
        kind=Kind(kind),
        codes=code_map,
        bits=bit_map,
        errors=error_map,
        ipv6=ipv6,
        registered_domain=registered_domain,
        query_zone=query_zone.strip().strip(".").lower(),
    )


def _code_range(text: str) -> list[str]:
    first, _sep, last = str(text).partition("-")
    try:
        start = ipaddress.IPv4Address(first.strip())
        end = ipaddress.IPv4Address(last.strip()) if last else start
    except ValueError as exc:
        raise ValueError(f"code {text!r} is not an IPv4 address or a range of them") from exc
    if end < start or int(end) - int(start) > 255:
        raise ValueError(f"code range {text!r} is reversed or too wide")
    return [str(ipaddress.IPv4Address(n)) for n in range(int(start), int(end) + 1)]


# --- Query names --------------------------------------------------------------------------------


def query_name(target: Target, spec: ZoneSpec) -> str:
    """The name to ask for, without the trailing dot: ``79.113.0.203.zen.spamhaus.org``."""
    return f"{reversed_name(target, registered=spec.registered_domain)}.{spec.asked_zone}"


def reversed_name(target: Target, *, registered: bool = False) -> str:
    if target.kind == Kind.IP4:
        return ".".join(reversed(target.value.split(".")))
    if target.kind == Kind.IP6:
        return ".".join(reversed(ipaddress.IPv6Address(target.value).exploded.replace(":", "")))
    return registered_domain(target.value) if registered else target.value


# --- Answers ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """What the resolver said: an rcode and A records, or no answer at all (``failure``)."""

    rcode: int | None = None
    addresses: tuple[str, ...] = ()
    texts: tuple[str, ...] = ()
    failure: str = ""  # "timeout", "network: ..." when nothing usable came back


@dataclass(frozen=True)
class Result:
    status: Status
    codes: tuple[str, ...] = ()
    meaning: Msg | Text | str = ""  # translated when shown (core.text)
    reason: str = ""  # the list's TXT record, for listings
    policy: bool = False  # every code is a policy flag (PBL-style), not a reputation listing

    def with_reason(self, reason: str) -> "Result":
        return Result(self.status, self.codes, self.meaning, reason[:500], self.policy)


CLEAR = Result(Status.CLEAR)  # nearly every answer of a sweep: one object, not tens of thousands (it is frozen)


def decode(spec: ZoneSpec, answer: Answer) -> Result:
    """Decode one answer for one list. Errors and unknowns are never listed and never clear."""
    if answer.failure:
        return Result(Status.ERROR, meaning=_("No answer (%(why)s).") % {"why": answer.failure})
    if answer.rcode == dns.rcode.NXDOMAIN:
        return CLEAR
    if answer.rcode != dns.rcode.NOERROR:
        name = dns.rcode.to_text(answer.rcode) if answer.rcode is not None else "?"
        return Result(Status.ERROR, meaning=_("The resolver answered %(rcode)s.") % {"rcode": name})
    if not answer.addresses:
        return Result(Status.CLEAR)  # NOERROR without an A record: the name exists, the address is not listed
    codes = tuple(sorted(set(answer.addresses), key=_address_key))
    errors = [spec.errors[code] for code in codes if code in spec.errors]
    if errors:
        return Result(Status.ERROR, codes, joined_meaning(errors))
    outside = [code for code in codes if not in_loopback(code)]
    if outside:
        return Result(
            Status.UNKNOWN,
            codes,
            _("Answer outside 127.0.0.0/8 (%(codes)s): a wildcard, a parked zone or a resolver that rewrites answers.")
            % {"codes": ", ".join(outside)},
        )
    meanings: list[Code] = []
    for code in codes:
        found = _meanings(spec, code)
        if found is None:
            return Result(Status.UNKNOWN, codes, _("%(code)s is not a code this list documents.") % {"code": code})
        meanings.extend(found)
    return Result(
        Status.LISTED,
        codes,
        joined_meaning(code.meaning for code in meanings),
        policy=bool(meanings) and all(code.policy for code in meanings),
    )


def joined_meaning(texts: Iterable[str]) -> Msg | Text | str:
    """The catalogue's meanings (msgids, or a staff member's own words) once each, joined by "; "."""
    return join(Msg(text) for text in dict.fromkeys(texts) if text)


def _meanings(spec: ZoneSpec, code: str) -> list[Code] | None:
    if code in spec.codes:
        return [spec.codes[code]]
    if spec.bits and code.startswith("127.0.0."):
        last = int(code.rsplit(".", 1)[1])
        found = [meaning for bit, meaning in sorted(spec.bits.items()) if last & bit]
        covered = sum(bit for bit in spec.bits if last & bit)
        return found if found and covered == last else None
    return None


def in_loopback(code: str) -> bool:
    try:
        return ipaddress.ip_address(code) in LOOPBACK
    except ValueError:
        return False


def _address_key(code: str):
    try:
        return (0, int(ipaddress.ip_address(code)))
    except ValueError:
        return (1, code)
