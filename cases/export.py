"""The cases' part of an account's data export (issue 18): every case and what its customer sees of it;
internal notes and staff-only events stay out (MISSION NC-5), like raw inbound mail and staff alerts. The
customer's ratings of resolved cases are theirs."""

from django.db.models import Q

from core.export import Part

EXPORT = (
    Part("cases", "cases.Case"),
    Part("case_timeline", "cases.CaseEvent", account_path="case__account", only=Q(public=True)),
    Part(
        "case_attachments",
        "cases.CaseAttachment",
        account_path="case__account",
        only=Q(event__isnull=True) | Q(event__public=True),
    ),
    Part("severity1_calls", "cases.PhoneIntake"),
    Part("case_ratings", "cases.CaseRating", account_path="case__account"),
)
