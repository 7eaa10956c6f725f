from accounts.access import ADMIN, Grants, Rule
from accounts.models import StaffRole

_READ = frozenset({"integrations.view_destination", "integrations.view_delivery", "integrations.view_attempt"})

GRANTS = Grants(
    actions={
        # Issues 19, 20: where the account's alerts and events go is the account admin's choice (its secrets too).
        "webhooks.manage": Rule(customers=frozenset({ADMIN})),
    },
    roles={StaffRole.TAM: _READ, StaffRole.AGENT: _READ},  # the delivery log, read-only, in the admin
)
