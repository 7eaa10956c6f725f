"""Support cases (MISSION NC-0..NC-5, CR-0..CR-5, TAM-4)."""

from .case import Case, CaseQuerySet, CaseSequence
from .inbound import InboundMessage
from .macros import CannedReply
from .oncall import OnCallShift, PhoneIntake
from .report import CaseRating, ClockRecord
from .saved_view import SavedView
from .search import CaseSearch
from .timeline import CaseAttachment, CaseEvent, PendingNotification, SlaAlert

__all__ = [
    "CannedReply",
    "Case",
    "CaseAttachment",
    "CaseRating",
    "ClockRecord",
    "CaseEvent",
    "CaseSearch",
    "CaseQuerySet",
    "InboundMessage",
    "CaseSequence",
    "OnCallShift",
    "PendingNotification",
    "PhoneIntake",
    "SavedView",
    "SlaAlert",
]
