"""Reports by email: the inbound pipeline (MTA pipe or ESP webhook) hands over mail sent to a report
address (``cases.email.routes``); each attached report file is stored and counted by a task."""

from cases.email.routes import Handled
from core.text import _

from ..models import DmarcAddress, DmarcReport
from . import address, services

REPORT_TYPES = ("zip", "gzip", "xml", "octet-stream")


def handle(recipients: list[str], attachments: list) -> Handled | None:
    tokens = [t for t in (address.token_of(r) for r in recipients) if t]
    if not tokens:
        return None
    found = DmarcAddress.objects.select_related("account").filter(token__in=tokens).first()
    if found is None:
        return Handled(None, _("sent to a DMARC report address that does not exist (or was changed)"), kept=False)
    files = [a for a in attachments if any(kind in a.content_type.lower() for kind in REPORT_TYPES)]
    if not files:
        return Handled(found.account, _("sent to the DMARC report address without a report file"), kept=False)
    for file in files:
        services.report_receive(
            account=found.account, data=file.data, filename=file.name, source=DmarcReport.Source.EMAIL
        )
    reason = _(
        "DMARC report for %(account)s: %(n)s file kept for counting",
        plural="DMARC report for %(account)s: %(n)s files kept for counting",
    )
    return Handled(found.account, reason % {"account": found.account.name, "n": len(files)})
