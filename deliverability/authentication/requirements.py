"""The Gmail & Yahoo (February 2024) and Microsoft (May 2025) sender requirements, as a checklist over an
account's findings. What DNS cannot show is marked "not checked automatically". MISSION: DLV-1.
Source: shared/facts/deliverability.md."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from deliverability.authentication.status import SEVERITY
from deliverability.authentication.status import FindingStatus as Status

NOT_CHECKED = "not_checked"
NO_DATA = "no_data"  # DNS could show it, but nothing of that kind is monitored yet
UNKNOWN = "unknown"  # measured elsewhere (Postmaster Tools), which is not connected
FROM_KINDS = ("spf_from", "dmarc", "alignment", "mx")  # one of each per From domain
LABELS = {  # what the checklist says for each status of a requirement
    **{status: status.label for status in (Status.PASS, Status.WARNING, Status.FAIL)},
    Status.ERROR: _("Not answered"),
    NO_DATA: _("Nothing to check yet"),
    NOT_CHECKED: _("Not checked automatically"),
    UNKNOWN: _("Unknown: Google Postmaster Tools is not connected"),
}


class Measured(str):
    """A status measured from data (Gmail's spam rate), with the figure and its day to show beside it."""

    detail: str = ""

    def __new__(cls, status: str, detail: str = ""):
        made = super().__new__(cls, status)
        made.detail = detail
        return made


@dataclass(frozen=True)
class Requirement:
    key: str
    title: str
    who: str  # "all" senders or "bulk" (about 5,000+ a day to one provider)
    kinds: tuple = ()  # the findings that answer it; empty: DNS cannot show it
    any_of: bool = False  # one of the kinds passing is enough


REQUIREMENTS = (
    Requirement("spf_or_dkim", _("SPF or DKIM authenticates the mail"), "all", ("spf", "dkim"), any_of=True),
    Requirement("fcrdns", _("Sending IPs have forward-confirmed reverse DNS (PTR)"), "all", ("fcrdns",)),
    Requirement("tls", _("Mail is sent over TLS"), "all"),
    Requirement("rfc5322", _("Messages follow RFC 5322 (one From, valid Message-ID and Date)"), "all"),
    Requirement("spam_rate", _("Spam rate below 0.10%, never 0.30% or more (Gmail Postmaster Tools)"), "all"),
    Requirement("spf_and_dkim", _("Both SPF and DKIM pass"), "bulk", ("spf", "dkim")),
    Requirement("dmarc", _("DMARC is published (p=none is enough)"), "bulk", ("dmarc",)),
    Requirement("alignment", _("DMARC is aligned with SPF or DKIM"), "bulk", ("alignment",)),
    Requirement("unsubscribe", _("One-click unsubscribe (RFC 8058), honoured within 2 days"), "bulk"),
)


def domains_of(finding) -> list[str]:
    """The From domains a finding answers for ([] for sending IPs: they serve every domain). Findings
    stored before runs recorded it are placed by their subject."""
    data = finding.data or {}
    if "domains" in data:
        return data["domains"]
    if finding.kind == "fcrdns":
        return []
    return [finding.subject.split("._domainkey.", 1)[-1]] if finding.kind == "dkim" else [finding.subject]


def checklist(
    findings, measured: dict | None = None, spam: dict | None = None
) -> tuple[list[str], list[tuple[Requirement, list[str]]]]:
    """The From domains, and each requirement with one status per From domain (pass / warning / fail /
    error / not_checked / no_data). A finding counts only for its own domain; a check that did not run
    ("no DKIM selector registered") is no data, never a pass. MISSION: DLV-1. ``measured``: per From
    domain, what DMARC aggregate reports measured (issue 19): "DMARC is aligned" is then that figure
    (pass at 98% or more), not what DNS suggests. ``spam``: per domain, Gmail's newest spam rate from Postmaster
    Tools (``postmaster_signals.spam_measures``), or None when it is not connected (then "unknown")."""
    findings, measured = list(findings), measured or {}
    domains = sorted({d for f in findings if f.kind in FROM_KINDS for d in domains_of(f)}) or [""]
    rows = []
    for requirement in REQUIREMENTS:
        statuses = []
        for domain in domains:
            mine = [
                f
                for f in findings
                if (not domains_of(f) or domain in domains_of(f) or not domain)
                and not (f.data or {}).get("not_checked")
            ]
            if requirement.key == "alignment" and domain in measured:
                statuses.append(Status.PASS if measured[domain].passes else Status.FAIL)
                continue
            if requirement.key == "spam_rate":
                statuses.append(spam_status(spam, domain))
                continue
            statuses.append(requirement_status(requirement, mine))
        rows.append((requirement, statuses))
    return [d for d in domains if d], rows


def spam_status(spam: dict | None, domain: str) -> str:
    """Gmail's spam rate for a From domain (or, with no domain, the worst of them): the figure and its day."""
    if spam is None:
        return UNKNOWN
    found = [spam[domain]] if domain in spam else [] if domain else list(spam.values())
    if not found:
        return NO_DATA
    worst = max(found, key=lambda m: m.percent)
    return Measured(worst.status, worst.detail)


def requirement_status(requirement: Requirement, findings) -> str:
    if not requirement.kinds:
        return NOT_CHECKED
    worst: dict[str, str] = {}
    for finding in (f for f in findings if f.kind in requirement.kinds):
        if SEVERITY[finding.status] >= SEVERITY[worst.get(finding.kind, Status.PASS)]:
            worst[finding.kind] = finding.status
    present = list(worst.values())
    missing = len(worst) < len(requirement.kinds)
    if requirement.any_of:
        if any(status in (Status.PASS, Status.WARNING) for status in present):
            return Status.PASS
        if Status.ERROR in present:
            return Status.ERROR
        return NO_DATA if missing else Status.FAIL
    if Status.FAIL in present:
        return Status.FAIL
    if missing:
        return NO_DATA
    return max(present, key=lambda status: SEVERITY[status])
