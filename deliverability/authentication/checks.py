"""The DNS checks of a sending domain and a sending IP, against one resolver. No ORM here.

MISSION: DLV-1. SPF and DMARC records are fetched and parsed by checkdmarc (recursive DNS-lookup and
void-lookup counting, DMARC organisational-domain fallback), pointed at our resolver; DKIM keys are read
with ``cryptography``; PTR/A/MX/CNAME come straight from dnspython. Every finding says pass / warning /
fail / error, what it means, and the exact fix: the DNS record to publish.
Facts: shared/facts/deliverability.md (Gmail & Yahoo 2024, Microsoft 2025 requirements).
"""

import base64
import ipaddress
from dataclasses import dataclass, field

import checkdmarc.dmarc
import checkdmarc.utils
import dns.exception
import dns.resolver
import dns.reversename
from cryptography.hazmat.primitives.serialization import load_der_public_key

from core.text import _
from deliverability.authentication.status import FindingStatus
from deliverability.blocklists.dnsbl import registered_domain

# short names for the many findings below; the statuses and their order live in ``status``
PASS, WARNING, FAIL, ERROR = FindingStatus.PASS, FindingStatus.WARNING, FindingStatus.FAIL, FindingStatus.ERROR


@dataclass
class Finding:
    subject: str  # the domain, selector name or IP checked
    kind: str  # spf, dkim, dmarc, alignment, mx, bounce, fcrdns
    status: str
    title: object  # a Msg: translated when shown
    detail: object = ""  # the record found, or a Msg
    fix: object = ""  # the DNS record to publish, or what to do (Msg, Text or plain text)
    data: dict = field(default_factory=dict)


def make_resolver(nameservers: list[tuple[str, int]], timeout: float = 3.0) -> dns.resolver.Resolver:
    resolver = dns.resolver.Resolver(configure=False)
    resolver.nameservers = [host for host, _port in nameservers]
    resolver.port = nameservers[0][1]
    resolver.timeout, resolver.lifetime = timeout, timeout * 2
    return resolver


def fresh_lookups() -> None:
    """checkdmarc keeps a process-wide answer cache (30 minutes); a check must read today's records."""
    checkdmarc.utils.DNS_CACHE.clear()


def lookup_failure(resolver, name: str) -> str:
    """Why the resolver gave no answer at all (timeout, SERVFAIL), or "" when it answered (even NXDOMAIN):
    a lookup that failed is an error, never "no record"."""
    try:
        resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return ""
    except dns.exception.DNSException as exc:
        return str(exc)
    return ""


# --- DKIM ------------------------------------------------------------------------------------------


def check_dkim(domain: str, selector: str, resolver) -> Finding:
    """A key at <selector>._domainkey.<domain> with p= present and at least 1024 bits (2048 preferred)."""
    name = f"{selector}._domainkey.{domain}"
    fix = _("Publish the DKIM key shown for %(domain)s in your sending settings:") % {"domain": domain}
    fix += f'\n{name}. TXT "v=DKIM1; k=rsa; p=<public key>"'
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return Finding(name, "dkim", FAIL, _("No DKIM key for the selector %(s)s.") % {"s": selector}, "", fix)
    except dns.exception.DNSException as exc:
        return Finding(name, "dkim", ERROR, _("The DNS lookup failed."), str(exc))
    record = " ".join(b"".join(r.strings).decode("utf-8", "replace") for r in answer)
    tags = _tags(record)
    key = tags.get("p")
    if key is None:
        return Finding(name, "dkim", FAIL, _("The DKIM record has no p= tag."), record, fix)
    if key == "":
        return Finding(name, "dkim", FAIL, _("The DKIM key is revoked (empty p=)."), record, fix)
    if tags.get("k", "rsa").lower() == "ed25519":
        return Finding(name, "dkim", PASS, _("DKIM key present (Ed25519)."), record)
    try:
        bits = load_der_public_key(base64.b64decode(key + "=" * (-len(key) % 4))).key_size
    except (ValueError, TypeError) as exc:
        return Finding(name, "dkim", FAIL, _("The DKIM key cannot be read."), str(exc), fix)
    data = {"bits": bits}
    if bits < 1024:
        return Finding(
            name,
            "dkim",
            FAIL,
            _("The DKIM key has %(bits)s bits; at least 1024 are required.") % data,
            record,
            fix,
            data,
        )
    if bits < 2048:
        return Finding(
            name,
            "dkim",
            WARNING,
            _("The DKIM key has %(bits)s bits; 2048 are recommended.") % data,
            record,
            _("Rotate to a 2048-bit key: publish it under a new selector, switch signing, then retire the old one."),
            data,
        )
    return Finding(name, "dkim", PASS, _("DKIM key present, %(bits)s bits.") % data, "", "", data)


def _tags(record: str) -> dict:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            tags[name.strip().lower()] = "".join(value.split())
    return tags


# --- DMARC and alignment ---------------------------------------------------------------------------


def check_dmarc(domain: str, resolver) -> Finding:
    """A DMARC record at _dmarc.<domain>, or at the organisational domain; p=none is enough for the
    2024 requirements, p=quarantine/reject is where to go."""
    unanswered = lookup_failure(resolver, f"_dmarc.{domain}")
    if unanswered:
        return Finding(domain, "dmarc", ERROR, _("The DNS lookup failed."), unanswered)
    fresh_lookups()
    result = checkdmarc.dmarc.check_dmarc(domain, resolver=resolver, timeout=resolver.timeout)
    fix = f'_dmarc.{domain}. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"'
    record = result.get("record")
    if not record:
        return Finding(domain, "dmarc", FAIL, _("No DMARC record."), result.get("error", ""), fix)
    tags = result.get("tags") or {}
    policy = (tags.get("p") or {}).get("value", "")
    data = {
        "record": record,
        "policy": policy,
        "location": result.get("location"),
        "adkim": (tags.get("adkim") or {}).get("value", "r"),
        "aspf": (tags.get("aspf") or {}).get("value", "r"),
    }
    if not result.get("valid"):
        return Finding(domain, "dmarc", FAIL, _("The DMARC record is broken."), result.get("error", ""), fix, data)
    inherited = result.get("location") and result.get("location") != domain
    where = _(" (from the organisational domain %(org)s)") % {"org": result["location"]} if inherited else ""
    if policy == "none":
        return Finding(
            domain,
            "dmarc",
            PASS,
            _("DMARC published with p=none%(where)s: enough for the 2024 requirements.") % {"where": where},
            record,
            _("When reports show all your mail aligned, move to p=quarantine, then p=reject."),
            data,
        )
    return Finding(
        domain,
        "dmarc",
        PASS,
        _("DMARC published with p=%(p)s%(where)s.") % {"p": policy, "where": where},
        record,
        "",
        data,
    )


def check_alignment(domain: str, *, dkim_ok: bool, bounce_domains: list[str], dmarc: Finding) -> Finding:
    """DMARC passes when DKIM (d= the From domain) or SPF (the bounce domain) is aligned with From;
    relaxed alignment means the same organisational domain."""
    strict_spf = dmarc.data.get("aspf") == "s"
    org = registered_domain(domain)
    aligned_bounce = [b for b in bounce_domains if (b == domain if strict_spf else registered_domain(b) == org)]
    if dkim_ok and aligned_bounce:
        return Finding(domain, "alignment", PASS, _("DKIM and the bounce domain are aligned with the From domain."))
    if dkim_ok:
        return Finding(
            domain,
            "alignment",
            PASS,
            _("DKIM is aligned with the From domain."),
            _("SPF is not aligned: no bounce domain under %(org)s.") % {"org": org},
            _("Add a bounce domain such as bounce.%(domain)s so that SPF aligns too.") % {"domain": domain},
        )
    if aligned_bounce:
        return Finding(
            domain,
            "alignment",
            WARNING,
            _("Only SPF (the bounce domain) is aligned; DKIM is not."),
            "",
            _("Sign with a DKIM key published under %(domain)s: forwarding breaks SPF, not DKIM.") % {"domain": domain},
        )
    return Finding(
        domain,
        "alignment",
        FAIL,
        _("Neither DKIM nor SPF is aligned with the From domain: DMARC fails."),
        "",
        _("Publish a DKIM key under %(domain)s and use a bounce domain under %(org)s.")
        % {"domain": domain, "org": org},
    )


# --- MX, bounce CNAME, forward-confirmed reverse DNS --------------------------------------------------


def check_mx(domain: str, resolver) -> Finding:
    try:
        answer = resolver.resolve(domain, "MX")
    except dns.resolver.NXDOMAIN:
        return Finding(domain, "mx", FAIL, _("The domain does not exist in DNS."))
    except dns.resolver.NoAnswer:
        return Finding(
            domain,
            "mx",
            FAIL,
            _("No MX record: replies and bounces to this domain cannot be delivered."),
            "",
            f"{domain}. MX 10 <your inbound mail server>.",
        )
    except dns.exception.DNSException as exc:
        return Finding(domain, "mx", ERROR, _("The DNS lookup failed."), str(exc))
    hosts = sorted((r.preference, str(r.exchange).rstrip(".")) for r in answer)
    if all(host in ("", ".") for _pref, host in hosts):
        return Finding(domain, "mx", FAIL, _("Null MX: this domain says it receives no mail."), "", "")
    return Finding(domain, "mx", PASS, _("MX present."), ", ".join(f"{p} {h}" for p, h in hosts))


def check_bounce(domain: str, resolver, *, expected: str) -> Finding:
    """The bounce (return-path) domain is a CNAME to the provider's bounce host."""
    fix = f"{domain}. CNAME {expected}." if expected else ""
    try:
        answer = resolver.resolve(domain, "CNAME")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return Finding(domain, "bounce", FAIL, _("The bounce domain has no CNAME record."), "", fix)
    except dns.exception.DNSException as exc:
        return Finding(domain, "bounce", ERROR, _("The DNS lookup failed."), str(exc))
    target = str(answer[0].target).rstrip(".").lower()
    if expected and target != expected.lower():
        return Finding(
            domain,
            "bounce",
            FAIL,
            _("The bounce domain points at %(target)s, not at %(expected)s.")
            % {"target": target, "expected": expected},
            "",
            fix,
        )
    return Finding(domain, "bounce", PASS, _("The bounce domain points at %(target)s.") % {"target": target})


def check_fcrdns(ip: str, resolver) -> Finding:
    """PTR -> hostname -> A/AAAA contains the IP (forward-confirmed reverse DNS)."""
    fix = _("The provider sets the PTR of its sending IPs: ask your TAM.")
    try:
        names = [str(r.target).rstrip(".") for r in resolver.resolve(dns.reversename.from_address(ip), "PTR")]
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return Finding(ip, "fcrdns", FAIL, _("No reverse DNS (PTR) for this IP."), "", fix)
    except dns.exception.DNSException as exc:
        return Finding(ip, "fcrdns", ERROR, _("The DNS lookup failed."), str(exc))
    rdtype = "AAAA" if ipaddress.ip_address(ip).version == 6 else "A"
    wanted = ipaddress.ip_address(ip)
    for name in names:
        try:
            addresses = {ipaddress.ip_address(r.address) for r in resolver.resolve(name, rdtype)}
        except dns.exception.DNSException:
            continue
        if wanted in addresses:
            return Finding(ip, "fcrdns", PASS, _("Reverse DNS %(name)s points back at this IP.") % {"name": name})
    return Finding(
        ip,
        "fcrdns",
        FAIL,
        _("Reverse DNS %(names)s does not point back at this IP.") % {"names": ", ".join(names)},
        "",
        fix,
    )
