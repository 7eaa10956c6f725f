"""Machine-made mail on a case (issue 15; RFC 3834): an out-of-office, a list or a robot answering one of our
emails is kept on the case's timeline for staff, as an internal entry. It is not the customer writing: it
never reopens the case, never starts, stops or restarts a clock, and nobody is emailed about it (so no robot
answers a robot)."""

from django.db import transaction

from cases.models import Case, CaseEvent
from core.text import Msg, to_json

from .common import record


@transaction.atomic
def case_record_machine_mail(
    *, case: Case, sender: str, body: str, reasons: list[Msg], sender_check: dict | None = None
) -> CaseEvent:
    """``sender_check``: how the email's sender was verified (issue 14), written with the event."""
    return record(
        case,
        actor=None,
        kind=CaseEvent.Kind.NOTE,
        public=False,
        body=body,
        from_address=sender,
        automatic=[to_json(reason) for reason in reasons],
        **({"sender": sender_check} if sender_check else {}),
    )
