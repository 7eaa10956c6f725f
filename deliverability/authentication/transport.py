"""MTA-STS (RFC 8461) and TLS reporting (RFC 8460) of a From domain: is mail to it sent over checked TLS,
and does the customer hear when it is not? No ORM here. MISSION: DLV-1.

MTA-STS is two things that must agree: ``_mta-sts.<domain> TXT "v=STSv1; id=..."`` (one record; a new
``id`` tells senders to fetch the policy again) and the policy at
``https://mta-sts.<domain>/.well-known/mta-sts.txt`` (version, mode enforce/testing/none, one ``mx`` line per
pattern, ``max_age`` at most 31557600 seconds, RFC 8461 3.2, and "weeks or greater" in practice). Every MX
host of the domain must match a pattern, or senders that enforce the policy do not deliver to it. The policy
is fetched as senders fetch it (HTTPS, a valid certificate, no redirects, 3.3), through
``core.netguard`` (the host resolved once, by our resolver, public addresses only, the connection made to
the address checked). Records and policies are parsed by checkdmarc; the fixes are built here, each with a
new ``id`` whenever the policy changes.
"""

import http.client
import re
import ssl
import urllib.error
import urllib.request

import checkdmarc.mta_sts as sts
import checkdmarc.smtp_tls_reporting as tlsrpt
import dns.exception
import dns.resolver
from django.conf import settings

from core import netguard
from core.text import _
from deliverability.authentication import records
from deliverability.authentication.checks import ERROR, FAIL, PASS, WARNING, Finding

POLICY_PATH = "/.well-known/mta-sts.txt"
POLICY_MAX_BYTES = 64 * 1024  # a policy is a few lines
MAX_AGE_LIMIT = 31557600  # RFC 8461 3.2
MAX_AGE_TESTING, MAX_AGE_ENFORCE = 86400, 604800  # a day while testing; a week (or more) once enforced
STS_PREFIX = re.compile(r"v=STSv1[ \t]*;")
TLSRPT_PREFIX = re.compile(r"v=TLSRPTv1[ \t]*;")


def txt_records(resolver, name: str, prefix: re.Pattern) -> list[str]:
    """The TXT records at ``name`` that start with ``prefix``, sorted; a failed lookup raises DNSException."""
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    found = ["".join(s.decode("utf-8", "replace") for s in r.strings) for r in answer]
    return sorted(text for text in found if prefix.match(text))


def policy_url(domain: str) -> str:
    return f"https://mta-sts.{domain}{POLICY_PATH}"


def policy_text(mode: str, hosts: list[str], max_age: int) -> str:
    return "\n".join(["version: STSv1", f"mode: {mode}", *(f"mx: {h}" for h in hosts), f"max_age: {max_age}"]) + "\n"


def new_id(now) -> str:
    """An id senders have not seen: the time of the check (RFC 8461 3.1: 1-32 letters or digits)."""
    return now.strftime("%Y%m%d%H%M%S")


class PolicyUnavailable(Exception):
    """The policy could not be fetched as a sender fetches it; ``str()`` says why (for the detail line)."""


def fetch_policy(domain: str, resolver, timeout: float = 5.0) -> tuple[str, str]:
    """(the policy text, its content type). HTTPS only, the certificate checked for the name (against
    ``settings.AUTH_POLICY_CA_BUNDLE`` when set), no redirect followed, at most ``POLICY_MAX_BYTES``."""
    context = ssl.create_default_context(cafile=settings.AUTH_POLICY_CA_BUNDLE or None)
    nameservers = [(host, resolver.port) for host in resolver.nameservers]
    director = urllib.request.OpenerDirector()
    for handler in (
        netguard.PinnedHTTPSHandler(
            context=context, networks=settings.AUTH_POLICY_ALLOW_NETWORKS, nameservers=nameservers
        ),
        urllib.request.HTTPDefaultErrorHandler(),  # no redirect handler: a 3xx is an error (RFC 8461 3.3)
        urllib.request.HTTPErrorProcessor(),
    ):
        director.add_handler(handler)
    url = policy_url(domain)  # https, always: the only handler the director has
    request = urllib.request.Request(url, headers={"User-Agent": "EmailEnterprise-portal/1"})  # noqa: S310
    try:
        with director.open(request, timeout=timeout) as response:
            body = response.read(POLICY_MAX_BYTES + 1)
            content_type = response.headers.get_content_type()
    except netguard.NotPublic as exc:
        raise PolicyUnavailable(str(exc)) from None
    except urllib.error.HTTPError as exc:
        raise PolicyUnavailable(f"HTTP {exc.code}") from None
    except urllib.error.URLError as exc:
        raise PolicyUnavailable(str(exc.reason)) from None
    except (OSError, ValueError, http.client.HTTPException) as exc:  # no address, refused, timed out, garbled
        raise PolicyUnavailable(str(exc) or type(exc).__name__) from None
    if len(body) > POLICY_MAX_BYTES:
        raise PolicyUnavailable(f"more than {POLICY_MAX_BYTES} bytes")
    return body.decode("utf-8", "replace"), content_type


def _has_address(host: str, resolver) -> bool:
    for rdtype in ("A", "AAAA"):
        try:
            if resolver.resolve(host, rdtype):
                return True
        except dns.exception.DNSException:
            continue
    return False


# --- MTA-STS ---------------------------------------------------------------------------------------------


def check_mta_sts(domain: str, resolver, *, mx: Finding, now) -> Finding:
    """The MTA-STS record and policy of a domain, against its MX hosts (``mx``: the MX finding)."""
    if mx.data.get("null_mx"):
        return Finding(domain, "mta_sts", PASS, _("The domain receives no mail (null MX): MTA-STS does not apply."))
    name = f"_mta-sts.{domain}"
    hosts = mx.data.get("hosts") or ["<your mx host>"]
    try:
        found = txt_records(resolver, name, STS_PREFIX)
    except dns.exception.DNSException as exc:
        return Finding(domain, "mta_sts", ERROR, _("The DNS lookup failed."), str(exc))
    record_row = (name, "TXT", f"v=STSv1; id={new_id(now)}")
    if not found:
        return _sts_missing(domain, resolver, hosts, record_row)
    if len(found) > 1:
        text, data = records.fix(_("Keep one record:"), delete=[(name, "TXT", r) for r in found], publish=[record_row])
        title = _("%(n)s MTA-STS records: senders treat that as no policy (RFC 8461 3.1).") % {"n": len(found)}
        return Finding(domain, "mta_sts", FAIL, title, "\n".join(found), text, data)
    record = found[0]
    try:
        sts.parse_mta_sts_record(record)
    except sts.MTASTSError as exc:
        text, data = records.fix(delete=[(name, "TXT", record)], publish=[record_row])
        return Finding(domain, "mta_sts", FAIL, _("The MTA-STS record is broken."), str(exc), text, data)
    return _sts_policy(domain, resolver, hosts, record, record_row)


def _sts_missing(domain: str, resolver, hosts: list[str], record_row) -> Finding:
    host = f"mta-sts.{domain}"
    publish = [record_row]
    if not _has_address(host, resolver):
        publish.append((host, "A", "<your web server address>"))
    text, data = records.fix(
        _(
            "Serve the policy in testing mode first (senders report, nothing is refused) from a web server with "
            "a certificate for %(host)s, then publish:"
        )
        % {"host": host},
        publish=publish,
        files=[(policy_url(domain), policy_text("testing", hosts, MAX_AGE_TESTING))],
    )
    title = _("No MTA-STS policy: mail to this domain can be sent without encryption, or to an impostor.")
    return Finding(domain, "mta_sts", WARNING, title, "", text, data)


def _policy_fix(domain, name, record, record_row, policy: str, intro=None):
    """Serve ``policy`` and announce it with a new id (senders fetch the policy again only then)."""
    return records.fix(
        intro, delete=[(name, "TXT", record)], publish=[record_row], files=[(policy_url(domain), policy)]
    )


def _load_policy(domain: str, resolver, record: str, record_row, suggested: str) -> tuple[dict, str, str] | Finding:
    """(the parsed policy, its text, its content type), or the finding that says why there is none."""
    name = record_row[0]
    try:
        text, content_type = fetch_policy(domain, resolver)
    except PolicyUnavailable as exc:
        host = f"mta-sts.{domain}"
        publish = [record_row] + ([] if _has_address(host, resolver) else [(host, "A", "<your web server address>")])
        fix, data = records.fix(
            _("Serve the policy from a web server with a certificate for %(host)s:") % {"host": host},
            delete=[(name, "TXT", record)],
            publish=publish,
            files=[(policy_url(domain), suggested)],
        )
        title = _("The MTA-STS policy cannot be fetched from %(url)s, so senders apply none.")
        return Finding(domain, "mta_sts", FAIL, title % {"url": policy_url(domain)}, str(exc), fix, data)
    try:
        return sts.parse_mta_sts_policy(text)["policy"], text, content_type
    except sts.MTASTSPolicyError as exc:
        fix, data = _policy_fix(domain, name, record, record_row, suggested)
        return Finding(domain, "mta_sts", FAIL, _("The MTA-STS policy is broken."), str(exc), fix, data)


def _sts_policy(domain: str, resolver, hosts: list[str], record: str, record_row) -> Finding:
    name = record_row[0]
    suggested = policy_text("testing", hosts, MAX_AGE_TESTING)
    loaded = _load_policy(domain, resolver, record, record_row, suggested)
    if isinstance(loaded, Finding):
        return loaded
    policy, text, content_type = loaded
    mode, max_age, patterns = policy["mode"], policy["max_age"], policy["mx"]
    data = {"record": record, "mode": mode, "max_age": max_age, "mx": patterns}
    uncovered = [h for h in hosts if not h.startswith("<") and not sts.mx_in_mta_sts_patterns(h, patterns)]
    detail = text.strip()
    floor = MAX_AGE_ENFORCE if mode == "enforce" else MAX_AGE_TESTING
    if mode != "none" and uncovered:
        fix, extra = _policy_fix(domain, name, record, record_row, policy_text(mode, hosts, max(max_age, floor)))
        title = (
            _("The MTA-STS policy (enforce) does not cover the MX host %(hosts)s: senders will not deliver there.")
            if mode == "enforce"
            else _("The MTA-STS policy (testing) does not cover the MX host %(hosts)s: senders report failures.")
        )
        status = FAIL if mode == "enforce" else WARNING
        return Finding(domain, "mta_sts", status, title % {"hosts": ", ".join(uncovered)}, detail, fix, data | extra)
    if mode == "none":
        fix, extra = _policy_fix(domain, name, record, record_row, suggested)
        title = _("The MTA-STS policy has mode: none: senders apply no policy.")
        return Finding(domain, "mta_sts", WARNING, title, detail, fix, data | extra)
    if max_age < floor:
        fix, extra = _policy_fix(domain, name, record, record_row, policy_text(mode, patterns, floor))
        title = _("The MTA-STS max_age is %(n)s seconds: senders forget the policy too soon (at least %(floor)s).")
        return Finding(domain, "mta_sts", WARNING, title % {"n": max_age, "floor": floor}, detail, fix, data | extra)
    if content_type != "text/plain":
        fix, extra = _policy_fix(domain, name, record, record_row, text)
        title = _("The MTA-STS policy is served as %(type)s; senders may ignore anything but text/plain.")
        return Finding(domain, "mta_sts", WARNING, title % {"type": content_type}, detail, fix, data | extra)
    if mode == "testing":
        advice = _(
            "When TLS reports show no failures, serve mode: enforce with max_age: %(age)s and publish a new id."
        ) % {"age": MAX_AGE_ENFORCE}
        title = _("MTA-STS in testing mode: senders report TLS failures but still deliver.")
        return Finding(domain, "mta_sts", PASS, title, detail, advice, data)
    return Finding(
        domain,
        "mta_sts",
        PASS,
        _("MTA-STS enforced: senders deliver to your MX over checked TLS only."),
        detail,
        "",
        data,
    )


# --- TLS reporting -----------------------------------------------------------------------------------------


def example_mailbox(domain: str) -> str:
    return f"tls-reports@{domain}"


def _report_uris(records_found: list[str]) -> list[str]:
    """The valid ``rua`` URIs (mailto: or https:) of the records, each once; a bare address becomes mailto:."""
    uris: list[str] = []
    for record in records_found:
        for field in re.split(r"\s*;\s*", record):
            tag, _sep, value = field.partition("=")
            if tag.strip().lower() != "rua":
                continue
            for uri in (u.strip() for u in value.split(",")):
                uri = uri if ":" in uri else f"mailto:{uri}"
                if tlsrpt.SMTPTLSREPORTING_URI_REGEX.fullmatch(uri) and uri not in uris:
                    uris.append(uri)
    return uris


def _tls_record(domain: str, found: list[str]) -> tuple[str, object]:
    """One TLS-RPT record keeping the customer's report addresses; an example mailbox (and a note) when
    none is usable."""
    uris = _report_uris(found)
    if uris:
        return f"v=TLSRPTv1; rua={','.join(uris)}", None
    note = _("%(mailbox)s is an example: put a mailbox of your own that reads the reports.") % {
        "mailbox": example_mailbox(domain)
    }
    return f"v=TLSRPTv1; rua=mailto:{example_mailbox(domain)}", note


def check_tls_rpt(domain: str, resolver) -> Finding:
    """One ``v=TLSRPTv1`` record at ``_smtp._tls.<domain>`` with a valid ``rua=`` (mailto: or https:)."""
    name = f"_smtp._tls.{domain}"
    try:
        found = txt_records(resolver, name, TLSRPT_PREFIX)
    except dns.exception.DNSException as exc:
        return Finding(domain, "tls_rpt", ERROR, _("The DNS lookup failed."), str(exc))
    value, note = _tls_record(domain, found)
    delete = [(name, "TXT", r) for r in found]
    if not found:
        text, data = records.fix(publish=[(name, "TXT", value)], note=note)
        title = _("No TLS reporting (TLS-RPT) record: you do not hear when senders cannot reach you securely.")
        return Finding(domain, "tls_rpt", WARNING, title, "", text, data)
    if len(found) > 1:
        text, data = records.fix(_("Merge them into one record:"), delete=delete, publish=[(name, "TXT", value)])
        title = _("%(n)s TLS-RPT records: senders treat that as no record (RFC 8460 3).") % {"n": len(found)}
        return Finding(domain, "tls_rpt", FAIL, title, "\n".join(found), text, data)
    try:
        parsed = tlsrpt.parse_smtp_tls_reporting_record(found[0])
    except tlsrpt.SMTPTLSReportingError as exc:
        text, data = records.fix(delete=delete, publish=[(name, "TXT", value)], note=note)
        return Finding(domain, "tls_rpt", FAIL, _("The TLS-RPT record is broken."), str(exc), text, data)
    uris = ", ".join(parsed["tags"]["rua"]["value"])
    title = _("TLS reporting published: reports go to %(uris)s.") % {"uris": uris}
    return Finding(domain, "tls_rpt", PASS, title, found[0], "", {"record": found[0]})
