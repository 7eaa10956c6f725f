"""Customer accounts, people, staff roles, TAM assignment and business-hours calendars.

The ground floor of the portal: every other app imports from here; this app imports none of them.
"""

from .accounts import Account, AccountQuerySet, Contact, Membership, MembershipQuerySet, TenantQuerySet
from .audit import AuditEvent
from .calendars import BusinessCalendar, CalendarException, OpeningWindow
from .exports import DataExport
from .outbox import OutboundEmail
from .sessions import FormSubmission, SessionIdle, SessionMax
from .tokens import ApiToken
from .users import StaffRole, User

__all__ = [
    "Account",
    "ApiToken",
    "AccountQuerySet",
    "AuditEvent",
    "BusinessCalendar",
    "CalendarException",
    "Contact",
    "DataExport",
    "FormSubmission",
    "Membership",
    "MembershipQuerySet",
    "OpeningWindow",
    "OutboundEmail",
    "SessionIdle",
    "SessionMax",
    "StaffRole",
    "TenantQuerySet",
    "User",
]
