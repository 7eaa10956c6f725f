"""Cases' events for the account's alert destinations (issues 19, 20: Slack, Teams, signed webhooks),
written in the transaction of the change through the one emitter, ``integrations.events.emit``."""

from accounts.notify import absolute_url
from cases.models import Case
from integrations.events import emit


def _data(case: Case) -> dict:
    return {
        "number": case.number,
        "subject": case.subject,  # text the customer typed, or a message (a phone call's case)
        "severity": case.severity,
        "status": case.get_status_display(),
        "status_code": case.status,
        "url": absolute_url(case.get_absolute_url()),
        "at": case.updated_at or case.created_at,
    }


def case_opened(case: Case) -> None:
    """A new case; a Severity 1 case is also its own event (a team may want only those)."""
    data = _data(case)
    emit(account=case.account, type="case.opened", data=data)
    if case.is_critical:
        emit(account=case.account, type="case.critical", data=data)


def case_status_changed(case: Case) -> None:
    """Any change of status; reaching "resolved" is the resolution event."""
    resolved = case.status == Case.Status.RESOLVED
    emit(account=case.account, type="case.resolved" if resolved else "case.updated", data=_data(case))
