"""The cases' part of an account's data export (issue 18): every case and what its customer sees of it;
internal notes and staff-only events stay out (MISSION NC-5), like raw inbound mail and staff alerts. The
customer's ratings of resolved cases are theirs.

A public timeline entry keeps how its author was known (``details["sender"]``, issue 14). Staff read the
whole check ("dmarc=pass header.from=...", "unverified — released by Tina"); the case page shows customers
only the mechanism that verified an email's sender (``CaseEvent.sender_mark``, ``cases/_timeline.html``),
and so does the export."""

from django.db.models import Q

from core.export import Part


def _timeline_as_shown(event, row: dict) -> dict:
    details = {key: value for key, value in (row["details"] or {}).items() if key != "sender"}
    if event.sender_mark:
        details["sender"] = {"verified_by": event.sender_mark}
    return row | {"details": details}


EXPORT = (
    Part("cases", "cases.Case"),
    Part(
        "case_timeline",
        "cases.CaseEvent",
        account_path="case__account",
        only=Q(public=True),
        shown=_timeline_as_shown,
    ),
    Part(
        "case_attachments",
        "cases.CaseAttachment",
        account_path="case__account",
        only=Q(event__isnull=True) | Q(event__public=True),
    ),
    Part("severity1_calls", "cases.PhoneIntake"),
    Part("case_ratings", "cases.CaseRating", account_path="case__account"),
)
