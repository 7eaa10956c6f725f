"""Every state change of planning (MISSION: TAM-3, TAM-5, DLV-1): one atomic function per change, each
writing one audit row through ``accounts.audit.audit`` in the same transaction. The views and the admin
call these; nothing else writes planning rows."""

from .capacity import capacity_remove, forecast_save, peak_add
from .features import (
    action_item_add,
    action_item_toggle,
    feature_request_file,
    feature_request_update,
    review_create,
)
from .migration import migration_plan_create, migration_plan_set_status, migration_plan_sign, milestone_toggle
from .migration_edit import MilestoneEdits, StalePlan, change_labels, migration_plan_edit
from .records import planning_record_remove, planning_record_save
from .reviews import review_cadence_set, review_reminders_send
from .warmup import (
    actuals_edit,
    actuals_import_csv,
    actuals_import_json,
    warmup_plan_create,
    warmup_plan_set_status,
    warmup_plan_update,
)

__all__ = [
    "MilestoneEdits",
    "StalePlan",
    "action_item_add",
    "action_item_toggle",
    "actuals_edit",
    "actuals_import_csv",
    "actuals_import_json",
    "capacity_remove",
    "change_labels",
    "feature_request_file",
    "feature_request_update",
    "forecast_save",
    "migration_plan_create",
    "migration_plan_edit",
    "migration_plan_set_status",
    "migration_plan_sign",
    "milestone_toggle",
    "peak_add",
    "planning_record_remove",
    "planning_record_save",
    "review_cadence_set",
    "review_reminders_send",
    "review_create",
    "warmup_plan_create",
    "warmup_plan_set_status",
    "warmup_plan_update",
]
