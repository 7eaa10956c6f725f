"""The Gmail & Yahoo (February 2024) and Microsoft (May 2025) sender requirements, as a checklist over an
account's findings. What DNS cannot show is marked "not checked automatically". MISSION: DLV-1.
Source: shared/facts/deliverability.md."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from deliverability.authentication.status import SEVERITY
from deliverability.authentication.status import FindingStatus as Status

NOT_CHECKED = "not_checked"
NO_DATA = "no_data"  # DNS could show it, but nothing of that kind is monitored yet
LABELS = {  # what the checklist says for each status of a requirement
    **{status: status.label for status in (Status.PASS, Status.WARNING, Status.FAIL)},
    Status.ERROR: _("Not answered"),
    NO_DATA: _("Nothing to check yet"),
    NOT_CHECKED: _("Not checked automatically"),
}


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


def checklist(findings) -> list[tuple[Requirement, str]]:
    """Each requirement with pass / warning / fail / not_checked / no_data, from the latest findings."""
    worst: dict[str, str] = {}
    for finding in findings:
        if SEVERITY[finding.status] >= SEVERITY[worst.get(finding.kind, Status.PASS)]:
            worst[finding.kind] = finding.status
    rows = []
    for requirement in REQUIREMENTS:
        present = [worst[kind] for kind in requirement.kinds if kind in worst]
        if not requirement.kinds:
            rows.append((requirement, NOT_CHECKED))
        elif not present:
            rows.append((requirement, NO_DATA))
        elif requirement.any_of:
            best = min(present, key=lambda status: SEVERITY[status])
            rows.append((requirement, Status.PASS if best in (Status.PASS, Status.WARNING) else Status.FAIL))
        else:
            rows.append((requirement, max(present, key=lambda status: SEVERITY[status])))
    return rows
