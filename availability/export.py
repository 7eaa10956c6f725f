"""Availability's part of an account's data export (issue 18): the contract's figures, the per-second
ledger it is measured by, and the incidents."""

from core.export import Part

EXPORT = (
    Part("availability_profile", "availability.AvailabilityProfile"),
    Part("availability_seconds", "availability.SecondRollup"),
    Part("availability_incidents", "availability.IncidentAlert"),
)
