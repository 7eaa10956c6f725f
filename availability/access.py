"""What the availability app lets each person do; collected by ``accounts.access``."""

from accounts.access import Grants
from accounts.models import StaffRole

GRANTS = Grants(
    roles={
        # MISSION: AV-1 — the account's availability target.
        StaffRole.TAM: frozenset(
            {
                "availability.view_availabilityprofile",
                "availability.add_availabilityprofile",
                "availability.change_availabilityprofile",
            }
        ),
        StaffRole.AGENT: frozenset({"availability.view_availabilityprofile"}),
    },
)
