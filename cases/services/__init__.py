"""State changes on cases: one atomic function per change, timeline event and notifications in the same
transaction (STYLE: services)."""

from cases.transitions import CaseStateError

from .bulk import cases_bulk_change
from .classification import case_change_classification, case_decide_classification, case_request_classification
from .conversation import OUTCOMES, case_add_note, case_change_cadence, case_log_callback, case_post_update, case_reply
from .escalation import case_acknowledge_customer_escalation, case_acknowledge_escalation, case_escalate
from .following import case_follow
from .inbound import inbound_assign, inbound_discard, inbound_release, inbound_replay
from .intake import intake_sweep, matching_accounts, phone_intake_close, phone_intake_match, phone_intake_record
from .lifecycle import (
    case_accept_resolution,
    case_assign,
    case_mark_workaround,
    case_propose_resolution,
    case_record_agreement,
    case_reject_resolution,
    case_reopen,
    case_start_work,
    case_wait_on_customer,
)
from .macros import can_manage_macros, canned_reply_remove, canned_reply_save, canned_reply_text
from .merging import case_link, case_merge, case_unlink
from .oncall import (
    can_manage_rota,
    critical_cases_hand_over,
    oncall_shift_remove,
    oncall_shift_save,
    rota_gap_warnings,
)
from .opening import case_open
from .satisfaction import case_rate
from .saved_views import saved_view_delete, saved_view_save
from .sweep import resolution_reminders, sla_sweep

__all__ = [
    "case_rate",
    "can_manage_macros",
    "canned_reply_remove",
    "canned_reply_save",
    "canned_reply_text",
    "case_link",
    "case_merge",
    "case_unlink",
    "OUTCOMES",
    "CaseStateError",
    "case_accept_resolution",
    "case_acknowledge_customer_escalation",
    "cases_bulk_change",
    "saved_view_delete",
    "saved_view_save",
    "case_acknowledge_escalation",
    "case_escalate",
    "case_add_note",
    "case_assign",
    "case_change_classification",
    "case_decide_classification",
    "case_request_classification",
    "case_follow",
    "case_change_cadence",
    "case_log_callback",
    "case_mark_workaround",
    "case_open",
    "case_post_update",
    "case_propose_resolution",
    "case_record_agreement",
    "case_reject_resolution",
    "case_reopen",
    "case_reply",
    "case_start_work",
    "case_wait_on_customer",
    "can_manage_rota",
    "critical_cases_hand_over",
    "intake_sweep",
    "phone_intake_close",
    "rota_gap_warnings",
    "inbound_assign",
    "inbound_discard",
    "inbound_release",
    "inbound_replay",
    "matching_accounts",
    "oncall_shift_remove",
    "oncall_shift_save",
    "phone_intake_match",
    "phone_intake_record",
    "resolution_reminders",
    "sla_sweep",
]
