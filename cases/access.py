"""What the cases app lets each person do; collected by ``accounts.access``."""

from accounts.access import ANY_STAFF, TEAM, Grants, Rule
from accounts.models import StaffRole

_VIEW = frozenset(
    {
        "cases.view_case",
        "cases.view_caseevent",
        "cases.view_slaalert",
        "cases.view_phoneintake",
        "cases.view_oncallshift",
        "cases.view_inboundmessage",
        # The on-call rota is kept by every member of staff.
        "cases.add_oncallshift",
        "cases.change_oncallshift",
        "cases.delete_oncallshift",
    }
)

GRANTS = Grants(
    actions={
        # MISSION: NC-1, NC-3, NC-4 — the account's team files and follows up its cases; the staff who work
        # on the account answer them.
        "case.work": Rule(customers=TEAM, staff=ANY_STAFF),
        # Following a case (its emails) is for the account's team.
        "case.follow": Rule(customers=TEAM),
    },
    roles={StaffRole.TAM: _VIEW, StaffRole.AGENT: _VIEW},
)
