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

import checkdmarc.utils
import dns.exception
import dns.resolver
import dns.reversename
from cryptography.hazmat.primitives.serialization import load_der_public_key

from core.text import _
from deliverability.authentication import records
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


def fresh_lookups() -> None:
    """checkdmarc keeps a process-wide answer cache (30 minutes); a check must read today's records."""
    checkdmarc.utils.DNS_CACHE.clear()


# --- DKIM ------------------------------------------------------------------------------------------


def check_dkim(domain: str, selector: str, resolver) -> Finding:
    """A key at <selector>._domainkey.<domain> (selectors are DNS labels: case-insensitive) with p=
    present: RSA of at least 1024 bits (2048 preferred) or a 32-byte Ed25519 key; t=y (testing) warns."""
    selector = selector.lower()
    name = f"{selector}._domainkey.{domain}"
    try:
        found = [b"".join(r.strings).decode("utf-8", "replace") for r in resolver.resolve(name, "TXT")]
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        found = []
    except dns.exception.DNSException as exc:
        return Finding(name, "dkim", ERROR, _("The DNS lookup failed."), str(exc))
    text, data = records.fix(
        _("Publish the DKIM key shown for %(domain)s in your sending settings:") % {"domain": domain},
        delete=[(name, "TXT", record) for record in sorted(found)],
        publish=[(name, "TXT", "v=DKIM1; k=rsa; p=<public key>")],
    )
    data["domains"] = [domain]
    if not found:
        return Finding(name, "dkim", FAIL, _("No DKIM key for the selector %(s)s.") % {"s": selector}, "", text, data)
    record = " ".join(found)
    tags = _tags(record)
    key = tags.get("p")
    if key is None:
        return Finding(name, "dkim", FAIL, _("The DKIM record has no p= tag."), record, text, data)
    if key == "":
        return Finding(name, "dkim", FAIL, _("The DKIM key is revoked (empty p=)."), record, text, data)
    found = _dkim_key(name, tags, record, text, data)
    if found.status == PASS and "y" in tags.get("t", "").lower().split(":"):
        fix, extra = records.fix(
            _("Publish the key without t=y once signing works:"),
            delete=[(name, "TXT", record)],
            publish=[(name, "TXT", _without_testing(record))],
        )
        title = _("The DKIM key is in testing mode (t=y): receivers may treat your mail as unsigned.")
        return Finding(name, "dkim", WARNING, title, record, fix, found.data | extra)
    return found


def _dkim_key(name: str, tags: dict, record: str, fix, data: dict) -> Finding:
    """The key itself: an Ed25519 key is 32 bytes; an RSA key 1024 bits at least, 2048 recommended."""
    key = tags["p"]
    try:
        raw = base64.b64decode(key + "=" * (-len(key) % 4), validate=False)
    except (ValueError, TypeError) as exc:
        return Finding(name, "dkim", FAIL, _("The DKIM key cannot be read."), str(exc), fix, data)
    if tags.get("k", "rsa").lower() == "ed25519":
        if len(raw) != 32:
            title = _("The Ed25519 key has %(n)s bytes; it must have 32.") % {"n": len(raw)}
            return Finding(name, "dkim", FAIL, title, record, fix, data)
        return Finding(name, "dkim", PASS, _("DKIM key present (Ed25519)."), record, "", data)
    try:
        bits = load_der_public_key(raw).key_size
    except (ValueError, TypeError) as exc:
        return Finding(name, "dkim", FAIL, _("The DKIM key cannot be read."), str(exc), fix, data)
    data = {**data, "bits": bits}
    if bits < 1024:
        title = _("The DKIM key has %(bits)s bits; at least 1024 are required.") % {"bits": bits}
        return Finding(name, "dkim", FAIL, title, record, fix, data)
    if bits < 2048:
        return Finding(
            name,
            "dkim",
            WARNING,
            _("The DKIM key has %(bits)s bits; 2048 are recommended.") % {"bits": bits},
            record,
            _("Rotate to a 2048-bit key: publish it under a new selector, switch signing, then retire the old one."),
            data,
        )
    return Finding(name, "dkim", PASS, _("DKIM key present, %(bits)s bits.") % {"bits": bits}, "", "", data)


def _without_testing(record: str) -> str:
    """The DKIM record with the ``y`` flag taken out of ``t=`` (and ``t=`` out when nothing is left)."""
    out = []
    for part in record.split(";"):
        tag, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if tag.strip().lower() == "t":
            value = ":".join(flag for flag in value.split(":") if flag.strip().lower() != "y")
            if not value:
                continue
        out.append(f"{tag.strip()}={value.strip()}")
    return "; ".join(out)


def _tags(record: str) -> dict:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep:
            tags[name.strip().lower()] = "".join(value.split())
    return tags


# --- DMARC and alignment ---------------------------------------------------------------------------


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
    """MX present; without one, mail goes to the domain's own address (implicit MX, RFC 5321 5.1);
    ``MX 0 .`` (null MX, RFC 7505) says the domain receives no mail."""
    try:
        answer = resolver.resolve(domain, "MX")
    except dns.resolver.NXDOMAIN:
        return Finding(domain, "mx", FAIL, _("The domain does not exist in DNS."))
    except dns.resolver.NoAnswer:
        return _implicit_mx(domain, resolver)
    except dns.exception.DNSException as exc:
        return Finding(domain, "mx", ERROR, _("The DNS lookup failed."), str(exc))
    hosts = sorted((r.preference, str(r.exchange).rstrip(".")) for r in answer)
    if all(host in ("", ".") for _pref, host in hosts):
        title = _("Null MX: this domain says it receives no mail.")
        return Finding(domain, "mx", FAIL, title, "", "", {"hosts": [], "null_mx": True})
    detail = ", ".join(f"{p} {h}" for p, h in hosts)
    return Finding(domain, "mx", PASS, _("MX present."), detail, "", {"hosts": [h.lower() for _p, h in hosts]})


def _implicit_mx(domain: str, resolver) -> Finding:
    addresses = []
    for rdtype in ("A", "AAAA"):
        try:
            addresses += [r.address for r in resolver.resolve(domain, rdtype)]
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            continue
        except dns.exception.DNSException as exc:
            return Finding(domain, "mx", ERROR, _("The DNS lookup failed."), str(exc))
    if addresses:
        title = _("No MX record: mail to this domain goes to its own address (implicit MX, RFC 5321 5.1).")
        return Finding(domain, "mx", PASS, title, ", ".join(addresses), "", {"hosts": [domain]})
    fix, data = records.fix(
        _("Publish the MX record of the server that receives your mail:"),
        publish=[(domain, "MX", "10 <your inbound mail server>.")],
    )
    title = _("No MX record and no address: replies and bounces to this domain cannot be delivered.")
    return Finding(domain, "mx", FAIL, title, "", fix, data)


def check_bounce(domain: str, resolver, *, expected: str) -> Finding:
    """The bounce (return-path) domain is a CNAME to the provider's bounce host."""
    fix, data = records.fix(publish=[(domain, "CNAME", f"{expected}.")]) if expected else ("", {})
    try:
        answer = resolver.resolve(domain, "CNAME")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return Finding(domain, "bounce", FAIL, _("The bounce domain has no CNAME record."), "", fix, data)
    except dns.exception.DNSException as exc:
        return Finding(domain, "bounce", ERROR, _("The DNS lookup failed."), str(exc))
    target = str(answer[0].target).rstrip(".").lower()
    if expected and target != expected.lower():
        fix, data = records.fix(delete=[(domain, "CNAME", f"{target}.")], publish=data["publish"])
        return Finding(
            domain,
            "bounce",
            FAIL,
            _("The bounce domain points at %(target)s, not at %(expected)s.")
            % {"target": target, "expected": expected},
            "",
            fix,
            data,
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
