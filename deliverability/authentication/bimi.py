"""The BIMI record of a From domain (MISSION: DLV-1; the BIMI draft, draft-brand-indicators-for-message-
identification). No ORM here.

``default._bimi.<domain> TXT "v=BIMI1; l=<https URL of an SVG Tiny PS logo>; a=<https URL of a VMC or CMC>"``
(else the organisational domain's). Receivers show the logo only when DMARC is at enforcement for the
domain: ``p=quarantine`` or ``p=reject`` (for a subdomain, its ``sp=``) applied to all mail (``pct=100``);
Gmail and Apple Mail also want a mark certificate at ``a=``. BIMI is optional: no record is not a
problem. The logo and the certificate are not downloaded here (their URLs are the customer's to
choose; the issuer of the certificate validates them); the record is read as receivers read it.
"""

import re
from urllib.parse import urlsplit

import dns.exception

from core.text import _
from deliverability.authentication import records
from deliverability.authentication.checks import ERROR, FAIL, PASS, WARNING, Finding
from deliverability.authentication.transport import txt_records
from deliverability.blocklists.dnsbl import registered_domain

BIMI_PREFIX = re.compile(r"v=BIMI1[ \t]*(;|$)", re.I)
LOGO, CERTIFICATE = "<your logo url>", "<your certificate url>"
ENFORCING = ("quarantine", "reject")


def _https_url(value: str) -> bool:
    """An https URL with a host name that has a dot (the draft: an FQDN), no spaces, no commas."""
    parts = urlsplit(value)
    return parts.scheme == "https" and "." in (parts.hostname or "") and not re.search(r"[\s,]", value)


def bimi_tags(record: str) -> dict[str, str]:
    tags = {}
    for part in record.split(";"):
        name, sep, value = part.strip().partition("=")
        if sep and name.strip().lower() not in tags:
            tags[name.strip().lower()] = value.strip()
    return tags


def bimi_record(tags: dict[str, str]) -> str:
    """The record to publish: the customer's logo and certificate, placeholders for what is missing."""
    return f"v=BIMI1; l={tags.get('l') or LOGO}; a={tags.get('a') or CERTIFICATE}"


def discover(domain: str, resolver) -> tuple[str, list[str]]:
    """(the name whose records apply, its records): the domain's own, else its organisational domain's."""
    name = f"default._bimi.{domain}"
    found = txt_records(resolver, name, BIMI_PREFIX)
    org = registered_domain(domain)
    if found or org == domain:
        return name, found
    org_name = f"default._bimi.{org}"
    org_found = txt_records(resolver, org_name, BIMI_PREFIX)
    return (org_name, org_found) if org_found else (name, [])


def check_bimi(domain: str, resolver, *, dmarc: Finding) -> Finding:
    """The BIMI record, and the DMARC enforcement it needs (``dmarc``: the domain's DMARC finding)."""
    try:
        name, found = discover(domain, resolver)
    except dns.exception.DNSException as exc:
        return Finding(domain, "bimi", ERROR, _("The DNS lookup failed."), str(exc))
    if not found:
        advice = _(
            "Optional. To show your logo, publish a BIMI record with an SVG Tiny PS logo (and, for Gmail and "
            "Apple Mail, a VMC or CMC mark certificate); receivers need DMARC p=quarantine or p=reject with "
            "pct=100 first."
        )
        return Finding(domain, "bimi", PASS, _("No BIMI record (optional): no brand logo is shown."), "", advice)
    delete = [(name, "TXT", r) for r in found]
    tags = max((bimi_tags(r) for r in found), key=lambda t: bool(t.get("a")))  # of two, the one with a=
    if len(found) > 1:
        text, data = records.fix(_("Keep one record:"), delete=delete, publish=[(name, "TXT", bimi_record(tags))])
        title = _("%(n)s BIMI records: receivers show no logo.") % {"n": len(found)}
        return Finding(domain, "bimi", FAIL, title, "\n".join(found), text, data)
    record = found[0]
    bad = [tag for tag in ("l", "a") if tags.get(tag) and not _https_url(tags[tag])]
    if "l" not in tags or bad:
        kept = {tag: value for tag, value in tags.items() if tag not in bad}
        text, data = records.fix(delete=delete, publish=[(name, "TXT", bimi_record(kept))])
        detail = _("l= (the logo) and a= (the certificate) must be https URLs.")
        return Finding(domain, "bimi", FAIL, _("The BIMI record is broken."), detail, text, data)
    if tags["l"] == "":
        return Finding(domain, "bimi", PASS, _("BIMI record declining a logo (empty l=)."), record)
    data = {"record": record}
    enforcement = _dmarc_enforcement(domain, dmarc, record)
    if enforcement is not None:
        return enforcement
    if not tags.get("a"):
        text, extra = records.fix(
            _("Add your mark certificate (VMC or CMC):"),
            delete=delete,
            publish=[(name, "TXT", bimi_record(tags))],
        )
        title = _("BIMI without a mark certificate (a=): Gmail and Apple Mail show no logo; Yahoo may.")
        return Finding(domain, "bimi", WARNING, title, record, text, data | extra)
    title = _("BIMI published with a mark certificate, and DMARC is at enforcement.")
    note = _("The portal does not download the logo or the certificate: your certificate issuer validates them.")
    return Finding(domain, "bimi", PASS, title, record, note, data)


def _dmarc_enforcement(domain: str, dmarc: Finding, record: str) -> Finding | None:
    """None when DMARC is at enforcement for the domain; else the finding that says so, with the DMARC
    record to publish."""
    if dmarc.status == ERROR:
        return Finding(domain, "bimi", ERROR, _("The DNS lookup failed."), str(dmarc.detail))
    policy, pct = dmarc.data.get("policy", ""), dmarc.data.get("pct", 100)
    if dmarc.status != FAIL and policy in ENFORCING and pct == 100:
        return None
    title = _(
        "Receivers show no BIMI logo: DMARC must be at enforcement (p=quarantine or p=reject, with pct=100); it is not."
    )
    base = dmarc.data.get("publish")
    if dmarc.status == FAIL and base:  # no usable DMARC record yet: start from the one the DMARC check suggests
        name, value = base[0][0], base[0][2]
        delete, location_record = dmarc.data.get("delete", []), value
    else:
        location = dmarc.data.get("location", domain)
        name, location_record = f"_dmarc.{location}", dmarc.data.get("record", "")
        delete = [(name, "TXT", location_record)]
    tags = dict(records.dmarc_tags(location_record))
    location = name.removeprefix("_dmarc.")
    changes: dict = {"pct": None}
    inherited = name != f"_dmarc.{domain}"
    if inherited and tags.get("sp", "").lower() not in ("",) + ENFORCING:
        changes["sp"] = "quarantine"
    elif not (inherited and "sp" in tags) and tags.get("p", "").lower() not in ENFORCING:
        changes["p"] = "quarantine"
    text, data = records.fix(
        _(
            "Move DMARC to enforcement only when its reports show all your own mail aligned: mail that fails "
            "is then put in spam. Publish:"
        ),
        delete=delete,
        publish=[(name, "TXT", records.dmarc_with(location_record, **changes))],
        note=records.own_mailbox_note(location) if records.example_mailbox(location) in location_record else None,
    )
    return Finding(domain, "bimi", FAIL, title, record, text, {"record": record, **data})
