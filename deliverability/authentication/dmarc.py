"""The DMARC check of a From domain (MISSION: DLV-1, RFC 7489). No ORM here.

Policy discovery as a receiver does it (6.6.3): the TXT records at ``_dmarc.<domain>`` that start with
``v=DMARC1``; none there: the organisational domain's, whose ``sp=`` (when present) is the policy for its
subdomains; two or more at one name: no policy at all (receivers ignore both), never "no record". One
record is validated by checkdmarc; its policy, ``sp=``, ``pct=`` and ``rua=`` are read here: ``pct=0``
applies the policy to no mail, ``p=quarantine``/``reject`` without ``rua=`` leaves the customer blind.
Every fix is the record to publish at the name where the record lives, keeping the customer's tags.
"""

import checkdmarc.dmarc
import dns.exception
import dns.resolver

from core.text import _
from deliverability.authentication import records
from deliverability.authentication.checks import ERROR, FAIL, PASS, WARNING, Finding, fresh_lookups
from deliverability.blocklists.dnsbl import registered_domain

PORTAL_RUA = _(
    "This is your report address in the portal: the reports receivers send there appear on the DMARC "
    "reports page. We publish the permission record they look for (RFC 7489 7.1)."
)


def dmarc_records(resolver, name: str) -> list[str]:
    """The ``v=DMARC1`` TXT records at a name, sorted ([] for none); a lookup that fails raises DNSException."""
    try:
        answer = resolver.resolve(name, "TXT")
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
        return []
    found = ["".join(s.decode("utf-8", "replace") for s in r.strings) for r in answer]
    return sorted(text for text in found if text.replace(" ", "").lower().startswith("v=dmarc1"))


def discover(domain: str, resolver) -> tuple[str, list[str]]:
    """(the domain whose record applies, its records): the domain's own, else the organisational domain's."""
    found = dmarc_records(resolver, f"_dmarc.{domain}")
    org = registered_domain(domain)
    if found or org == domain:
        return domain, found
    return org, dmarc_records(resolver, f"_dmarc.{org}")


def check_dmarc(domain: str, resolver, *, rua: str | None = None) -> Finding:
    """A DMARC record at _dmarc.<domain>, or at the organisational domain; p=none is enough for the
    2024 requirements, p=quarantine/reject is where to go. ``rua``: the account's report address in the
    portal (issue 19), suggested instead of an example mailbox."""
    try:
        location, found = discover(domain, resolver)
    except dns.exception.DNSException as exc:
        return Finding(domain, "dmarc", ERROR, _("The DNS lookup failed."), str(exc))
    name = f"_dmarc.{location}"
    if not found:
        return _missing(domain, rua)
    if len(found) > 1:
        return _several(domain, name, found)
    record = found[0]
    fresh_lookups()
    try:
        checkdmarc.dmarc.parse_dmarc_record(record, location, resolver=resolver, timeout=resolver.timeout)
    except checkdmarc.dmarc.DNSException as exc:
        return Finding(domain, "dmarc", ERROR, _("The DNS lookup failed."), str(exc))
    except checkdmarc.dmarc.DMARCError as exc:
        return _broken(domain, name, record, str(exc))
    found = _policy(domain, location, record, rua)
    return _reports_refused(domain, location, record, resolver, found) if found.status == PASS else found


def _reports_refused(domain: str, location: str, record: str, resolver, found: Finding) -> Finding:
    """RFC 7489 7.1: reports go to a mailbox at another organisational domain only when that domain
    publishes ``<policy domain>._report._dmarc.<report domain> TXT "v=DMARC1"``."""
    missing = []
    for uri in dict(records.dmarc_tags(record)).get("rua", "").split(","):
        mailbox = uri.strip().removeprefix("mailto:").split("!")[0]
        report_domain = mailbox.rpartition("@")[2].rstrip(".").lower()
        if "@" not in mailbox or registered_domain(report_domain) == registered_domain(location):
            continue
        name = f"{location}._report._dmarc.{report_domain}"
        try:
            if not dmarc_records(resolver, name):
                missing.append((report_domain, name))
        except dns.exception.DNSException:
            continue  # unknown is not "refused"
    if not missing:
        return found
    text, extra = records.fix(
        _("The owner of the report mailbox's domain must publish:"),
        publish=[(name, "TXT", "v=DMARC1") for _domain, name in missing],
    )
    title = _("DMARC reports to %(domains)s are not sent: that domain has not agreed to receive them (RFC 7489 7.1).")
    title %= {"domains": ", ".join(report_domain for report_domain, _name in missing)}
    return Finding(domain, "dmarc", WARNING, title, record, text, {**found.data, **extra})


def _missing(domain: str, rua: str | None = None) -> Finding:
    suggested = f"v=DMARC1; p=none; rua={rua or 'mailto:' + records.example_mailbox(domain)}"
    note = PORTAL_RUA if rua else records.own_mailbox_note(domain)
    text, data = records.fix(publish=[(f"_dmarc.{domain}", "TXT", suggested)], note=note)
    return Finding(domain, "dmarc", FAIL, _("No DMARC record."), "", text, data)


def _several(domain: str, name: str, found: list[str]) -> Finding:
    """RFC 7489 6.6.3: more than one record at a name: DMARC is not applied at all."""
    merged = records.dmarc_merge(found)
    text, data = records.fix(
        _("Merge them into one record:"),
        delete=[(name, "TXT", record) for record in found],
        publish=[(name, "TXT", merged)],
    )
    data["records"] = found
    return Finding(
        domain,
        "dmarc",
        FAIL,
        _(
            "%(n)s DMARC record at %(name)s: receivers ignore both (RFC 7489 6.6.3), so no policy applies.",
            {"n": len(found), "name": name},
            plural="%(n)s DMARC records at %(name)s: receivers ignore both (RFC 7489 6.6.3), so no policy applies.",
        ),
        "\n".join(found),
        text,
        data,
    )


def _broken(domain: str, name: str, record: str, error: str) -> Finding:
    repaired, guessed = records.dmarc_repair(record)
    intro = (
        _("The policy was not recognisable, so this record says p=none (monitoring only): choose the policy you meant.")
        if guessed
        else _("Your record with the error corrected and your other tags kept:")
    )
    text, data = records.fix(intro, delete=[(name, "TXT", record)], publish=[(name, "TXT", repaired)])
    data.update(record=record, policy="")
    return Finding(domain, "dmarc", FAIL, _("The DMARC record is broken."), error, text, data)


def _policy(domain: str, location: str, record: str, rua: str | None = None) -> Finding:
    tags = dict(records.dmarc_tags(record))
    inherited = location != domain
    policy = tags.get("sp", tags.get("p")) if inherited else tags.get("p")
    policy = (policy or "none").lower()
    pct = int(tags["pct"]) if tags.get("pct", "").isdigit() else 100
    data = {
        "record": record,
        "policy": policy,
        "pct": pct,
        "location": location,
        "adkim": tags.get("adkim", "r").lower(),
        "aspf": tags.get("aspf", "r").lower(),
    }
    if inherited and "sp" in tags:
        where = _(" (sp=%(sp)s of the organisational domain %(org)s)") % {"sp": policy, "org": location}
    elif inherited:
        where = _(" (from the organisational domain %(org)s)") % {"org": location}
    else:
        where = ""
    name = f"_dmarc.{location}"
    if policy != "none" and pct == 0:
        text, extra = records.fix(
            _("Remove pct=0 to apply the policy:"),
            delete=[(name, "TXT", record)],
            publish=[(name, "TXT", records.dmarc_with(record, pct=None))],
        )
        title = _("DMARC p=%(p)s with pct=0%(where)s: the policy is applied to no mail.")
        return Finding(domain, "dmarc", WARNING, title % {"p": policy, "where": where}, record, text, data | extra)
    if policy != "none" and not tags.get("rua"):
        repaired = records.dmarc_repair(record)[0]  # a misspelt rau= becomes the rua= it meant
        example = "rua" not in dict(records.dmarc_tags(repaired))
        mailbox = rua or f"mailto:{records.example_mailbox(location)}"
        note = (PORTAL_RUA if rua else records.own_mailbox_note(location)) if example else None
        text, extra = records.fix(
            _("Add a report address:"),
            delete=[(name, "TXT", record)],
            publish=[(name, "TXT", records.dmarc_with(repaired, rua=mailbox) if example else repaired)],
            note=note,
        )
        title = _("DMARC p=%(p)s%(where)s without a report address (rua=): you cannot see what receivers reject.")
        return Finding(domain, "dmarc", WARNING, title % {"p": policy, "where": where}, record, text, data | extra)
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
    title = _("DMARC published with p=%(p)s%(where)s.") % {"p": policy, "where": where}
    return Finding(domain, "dmarc", PASS, title, record, "", data)
