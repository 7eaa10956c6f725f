"""The SPF checks (MISSION: DLV-1, RFC 7208). No ORM here.

Receivers evaluate SPF on the envelope sender (MAIL FROM, the Return-Path): for mail sent through us,
the customer's bounce domain, which CNAMEs to our bounce host and so carries our SPF. ``check_spf``
checks that domain (kind ``spf``): it must authorise our servers. The From domain's own SPF record
(kind ``spf_from``) only matters for mail the customer sends elsewhere with the From domain as the
envelope sender; it is checked as advice and never asked to include us.
Both: one v=spf1 record, at most 10 DNS-querying terms and 2 void lookups counted recursively
(4.6.4), no +all. Parsed by checkdmarc, pointed at our resolver; fixes are built in ``records``; the
lookups each term costs are walked in ``spf_tree`` and shown with the finding (``data["tree"]``).
"""

import checkdmarc.spf
import dns.exception
import dns.resolver

from core.text import Text, _
from deliverability.authentication import records
from deliverability.authentication.checks import ERROR, FAIL, PASS, WARNING, Finding, fresh_lookups
from deliverability.authentication.spf_tree import LOOKUP_LIMIT, VOID_LIMIT, lookup_tree, spf_records

SPF_LOOKUP_LIMIT, SPF_VOID_LIMIT = LOOKUP_LIMIT, VOID_LIMIT
ENVELOPE, FROM = "spf", "spf_from"


def check_spf(domain: str, resolver, *, provider_include: str = "", kind: str = ENVELOPE) -> Finding:
    """The SPF record of the envelope domain (our include required) or of the From domain (advice)."""
    include = provider_include if kind == ENVELOPE else ""
    try:
        found = spf_records(resolver, domain)
    except dns.exception.DNSException as exc:
        return Finding(domain, kind, ERROR, _("The DNS lookup failed."), str(exc))
    if not found:
        return _missing(domain, kind, include)
    if len(found) > 1:
        return _several(domain, kind, found, include)
    fresh_lookups()
    result = checkdmarc.spf.check_spf(domain, resolver=resolver, timeout=resolver.timeout)
    record = found[0]
    lookups, voids = result.get("dns_lookups") or 0, result.get("void_dns_lookups") or 0
    data = {"record": record, "lookups": lookups, "void_lookups": voids, "tree": lookup_tree(domain, resolver)}
    title = _("SPF is valid and authorises our servers.") if include else _("SPF is valid.")
    return (
        _over_limits(domain, kind, record, lookups, voids, data)
        or _policy(domain, kind, result, include, data)
        or _near_limit(domain, kind, record, lookups, data)
        or Finding(domain, kind, PASS, title, record, _from_note() if kind == FROM else "", data)
    )


def _from_note():
    return _(
        "Mail sent through us is checked on your bounce domain, not here: this record only matters "
        "for mail you send elsewhere with this domain as the envelope sender."
    )


def _missing(domain: str, kind: str, include: str) -> Finding:
    if kind == FROM:
        text, data = records.fix(
            _(
                "Receivers check mail sent through us on your bounce domain. If you send mail elsewhere with "
                "this domain as the envelope sender, publish one SPF record that lists those servers. If you "
                "do not, publish this record so that nobody else can:"
            ),
            publish=[(domain, "TXT", "v=spf1 -all")],
        )
        return Finding(domain, kind, WARNING, _("No SPF record on the From domain."), "", text, data)
    text, data = records.fix(publish=[(domain, "TXT", records.spf_suggest([], include))])
    return Finding(domain, kind, FAIL, _("No SPF record."), "", text, data)


def _several(domain: str, kind: str, found: list[str], include: str) -> Finding:
    """Two v=spf1 records at one name are a permerror (RFC 7208 3.2): merge them, delete the rest."""
    text, data = records.fix(
        _("Merge them into one record (every term kept):"),
        delete=[(domain, "TXT", record) for record in found],
        publish=[(domain, "TXT", records.spf_suggest(found, include))],
    )
    data["records"] = found
    title = _(
        "%(n)s SPF record: receivers treat that as an error, so SPF fails for all your mail.",
        {"n": len(found)},
        plural="%(n)s SPF records: receivers treat that as an error, so SPF fails for all your mail.",
    )
    return Finding(domain, kind, FAIL, title, "\n".join(found), text, data)


def _over_limits(domain, kind, record, lookups, voids, data) -> Finding | None:
    """RFC 7208 4.6.4: more than 10 DNS-querying terms, or more than 2 void lookups, is a permerror."""
    if lookups > SPF_LOOKUP_LIMIT:
        advice = _("Remove includes you no longer send through, or replace them with ip4:/ip6: ranges.")
        if data["tree"].get("crossed"):
            crossed = _("The 11th lookup is made by %(term)s: see the lookup tree.") % {"term": data["tree"]["crossed"]}
            advice = Text([advice, "\n", crossed])
        return Finding(
            domain,
            kind,
            FAIL,
            _("SPF needs %(n)s DNS lookups; receivers stop at 10 and treat the record as an error.") % {"n": lookups},
            record,
            advice,
            data,
        )
    if voids > SPF_VOID_LIMIT:
        return Finding(
            domain,
            kind,
            FAIL,
            _("SPF has %(n)s lookups that find nothing; receivers allow 2.") % {"n": voids},
            record,
            _("Remove the terms that point at names without records."),
            data,
        )
    return None


def _policy(domain: str, kind: str, result: dict, include: str, data: dict) -> Finding | None:
    """A broken record, +all, or a record that does not authorise our servers."""
    record, parsed = data["record"], result.get("parsed") or {}
    if not result.get("valid"):
        error = result.get("error", "")
        bad = records.spf_bad_terms(record, error)
        if not bad:
            advice = _("Correct the error shown above: receivers ignore the whole record until then.")
            return Finding(domain, kind, FAIL, _("The SPF record is broken."), error, advice, data)
        text, extra = records.fix(
            _("The record without the terms receivers cannot read:"),
            delete=[(domain, "TXT", record)],
            publish=[(domain, "TXT", records.spf_suggest([records.spf_without(record, bad)], include))],
        )
        return Finding(domain, kind, FAIL, _("The SPF record is broken."), error, text, data | extra)
    if parsed.get("all") == "pass" and record.lower().split()[-1] in ("all", "+all"):
        text, extra = records.fix(
            delete=[(domain, "TXT", record)], publish=[(domain, "TXT", records.spf_suggest([record], include))]
        )
        message = _("SPF ends in +all: anyone may send as this domain.")
        return Finding(domain, kind, FAIL, message, record, text, data | extra)
    if include and not _includes(parsed, include):
        text, extra = records.fix(
            delete=[(domain, "TXT", record)], publish=[(domain, "TXT", records.spf_suggest([record], include))]
        )
        return Finding(
            domain,
            kind,
            FAIL,
            _("SPF does not include %(include)s, so our servers are not allowed to send for this domain.")
            % {"include": include},
            record,
            text,
            data | extra,
        )
    return _redirect_ignored(domain, kind, record, include, data)


def _redirect_ignored(domain: str, kind: str, record: str, include: str, data: dict) -> Finding | None:
    """RFC 7208 6.1: a record with an ``all`` ignores its ``redirect=``; the fix makes it the include it
    was meant to be."""
    terms = [term.lower() for term in record.split()[1:]]
    if not any(t.startswith("redirect=") for t in terms) or not any(t.lstrip("+-~?") == "all" for t in terms):
        return None
    text, extra = records.fix(
        delete=[(domain, "TXT", record)], publish=[(domain, "TXT", records.spf_suggest([record], include))]
    )
    title = _("The record has both all and redirect=: receivers ignore the redirect (RFC 7208 6.1).")
    return Finding(domain, kind, WARNING, title, record, text, data | extra)


def _near_limit(domain, kind, record, lookups, data) -> Finding | None:
    if lookups < SPF_LOOKUP_LIMIT - 1:
        return None
    return Finding(
        domain,
        kind,
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


def check_envelope(domain: str, resolver, *, provider_include: str, bounce: Finding) -> Finding:
    """SPF where receivers check it: the bounce domain. When it does not point at us, the fix is the
    CNAME (which brings our SPF; a name with a CNAME has no other records); when it does, the SPF
    record is ours to fix."""
    finding = check_spf(domain, resolver, provider_include=provider_include)
    if finding.status in (PASS, ERROR) or bounce.status == ERROR:
        return finding
    if bounce.status == FAIL and bounce.data.get("publish"):
        found = finding.data.get("records") or ([finding.data["record"]] if finding.data.get("record") else [])
        finding.fix, extra = records.fix(
            _("Point the bounce domain at us: our SPF record comes with the CNAME."),
            delete=bounce.data.get("delete") or [(domain, "TXT", record) for record in found],
            publish=bounce.data["publish"],
        )
    else:
        finding.fix, extra = _("This SPF record is ours (your bounce domain points at us): tell your TAM."), {}
    finding.data = {**finding.data, "publish": [], "delete": [], **extra}
    return finding
