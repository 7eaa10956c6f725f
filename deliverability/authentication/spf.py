"""The SPF check of a sending domain (MISSION: DLV-1): one v=spf1 record, at most 10 DNS-querying terms and
2 void lookups counted recursively (RFC 7208 4.6.4), no +all, our include present; the fix is the record to
publish. Parsed by checkdmarc, pointed at our resolver. No ORM here.
"""

import checkdmarc.spf

from core.text import _
from deliverability.authentication.checks import ERROR, FAIL, PASS, WARNING, Finding, fresh_lookups, lookup_failure

SPF_LOOKUP_LIMIT = 10
SPF_VOID_LIMIT = 2


def check_spf(domain: str, resolver, *, provider_include: str) -> Finding:
    """One v=spf1 record; at most 10 DNS-querying terms and 2 void lookups, counted recursively; no
    +all; the provider's include present."""
    unanswered = lookup_failure(resolver, domain)
    if unanswered:
        return Finding(domain, "spf", ERROR, _("The DNS lookup failed."), unanswered)
    fresh_lookups()
    result = checkdmarc.spf.check_spf(domain, resolver=resolver, timeout=resolver.timeout)
    record = result.get("record") or ""
    suggested = _spf_with_include(record, provider_include)
    if not result.get("valid") and not record:
        return _spf_missing(domain, result.get("error", ""), suggested)
    lookups, voids = result.get("dns_lookups") or 0, result.get("void_dns_lookups") or 0
    data = {"record": record, "lookups": lookups, "void_lookups": voids}
    return (
        _spf_over_limits(domain, record, lookups, voids, data)
        or _spf_policy(domain, result, provider_include, suggested, data)
        or _spf_near_limit(domain, record, lookups, data)
        or Finding(domain, "spf", PASS, _("SPF is valid and authorises our servers."), record, "", data)
    )


def _spf_missing(domain: str, error: str, suggested: str) -> Finding:
    lowered = error.lower()
    if "not exist" in lowered or "does not have an spf" in lowered or "no spf" in lowered:
        return Finding(domain, "spf", FAIL, _("No SPF record."), error, _spf_fix(domain, suggested))
    return Finding(domain, "spf", FAIL, _("The SPF record could not be used."), error, _spf_fix(domain, suggested))


def _spf_over_limits(domain: str, record: str, lookups: int, voids: int, data: dict) -> Finding | None:
    """RFC 7208 4.6.4: more than 10 DNS-querying terms, or more than 2 void lookups, is a permerror."""
    if lookups > SPF_LOOKUP_LIMIT:
        return Finding(
            domain,
            "spf",
            FAIL,
            _("SPF needs %(n)s DNS lookups; receivers stop at 10 and treat the record as an error.") % {"n": lookups},
            record,
            _("Remove includes you no longer send through, or replace them with ip4:/ip6: ranges."),
            data,
        )
    if voids > SPF_VOID_LIMIT:
        return Finding(
            domain,
            "spf",
            FAIL,
            _("SPF has %(n)s lookups that find nothing; receivers allow 2.") % {"n": voids},
            record,
            _("Remove the terms that point at names without records."),
            data,
        )
    return None


def _spf_policy(domain: str, result: dict, provider_include: str, suggested: str, data: dict) -> Finding | None:
    """A broken record, +all, or a record that does not authorise our servers."""
    record, parsed = data["record"], result.get("parsed") or {}
    if not result.get("valid"):
        error = result.get("error", "")
        return Finding(domain, "spf", FAIL, _("The SPF record is broken."), error, _spf_fix(domain, suggested), data)
    if parsed.get("all") == "pass":
        message = _("SPF ends in +all: anyone may send as this domain.")
        return Finding(domain, "spf", FAIL, message, record, _spf_fix(domain, suggested), data)
    if provider_include and not _includes(parsed, provider_include):
        return Finding(
            domain,
            "spf",
            FAIL,
            _("SPF does not include %(include)s, so our servers are not allowed to send for this domain.")
            % {"include": provider_include},
            record,
            _spf_fix(domain, suggested),
            data,
        )
    return None


def _spf_near_limit(domain: str, record: str, lookups: int, data: dict) -> Finding | None:
    if lookups < SPF_LOOKUP_LIMIT - 1:
        return None
    return Finding(
        domain,
        "spf",
        WARNING,
        _("SPF needs %(n)s of the 10 DNS lookups allowed: one more include breaks it.") % {"n": lookups},
        record,
        _("Remove includes you no longer send through."),
        data,
    )


def _includes(parsed: dict, include: str) -> bool:
    for mechanism in parsed.get("mechanisms", []):
        if mechanism.get("mechanism") == "include":
            if mechanism.get("value", "").lower().rstrip(".") == include.lower():
                return True
            if _includes(mechanism.get("parsed") or {}, include):
                return True
    redirect = parsed.get("redirect")
    return bool(redirect and isinstance(redirect, dict) and _includes(redirect.get("parsed") or {}, include))


def _spf_with_include(record: str, include: str) -> str:
    if not record.lower().startswith("v=spf1"):
        return f"v=spf1 include:{include} ~all" if include else "v=spf1 ~all"
    terms = [t for t in record.split()[1:] if t.lower() not in {"+all", "all"}]
    tail = [t for t in terms if t.lower().endswith("all")] or ["~all"]
    body = [t for t in terms if not t.lower().endswith("all")]
    if include and f"include:{include}".lower() not in (t.lower() for t in body):
        body.append(f"include:{include}")
    return " ".join(["v=spf1", *body, tail[-1]])


def _spf_fix(domain: str, suggested: str) -> str:
    return f'{domain}. TXT "{suggested}"'
