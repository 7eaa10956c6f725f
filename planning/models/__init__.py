"""Planning: warm-up and migration plans, capacity and feature planning (MISSION: TAM-3, TAM-5, DLV-1)."""

from accounts.models import ApiToken as IngestToken  # the account-wide API token

from .capacity import CapacityRules, MonthlyForecast, PeakEvent
from .features import ActionItem, BusinessReview, FeatureRequest
from .holds import ReputationHold
from .migration import MigrationPlan, MigrationStream, Milestone, SignatureHistory, SignOff
from .warmup import DEFAULT_SPLIT, DailyActual, WarmupPlan

__all__ = [
    "DEFAULT_SPLIT",
    "ActionItem",
    "BusinessReview",
    "CapacityRules",
    "DailyActual",
    "FeatureRequest",
    "IngestToken",
    "MigrationPlan",
    "MigrationStream",
    "Milestone",
    "MonthlyForecast",
    "PeakEvent",
    "ReputationHold",
    "SignOff",
    "SignatureHistory",
    "WarmupPlan",
]
