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
        # Issue 15: canned replies are kept by every member of staff too (cases.services.macros).
        "cases.view_cannedreply",
        "cases.add_cannedreply",
        "cases.change_cannedreply",
        "cases.delete_cannedreply",
    }
)

GRANTS = Grants(
    actions={
        # MISSION: NC-1, NC-3, NC-4 — the account's team files and follows up its cases; the staff who work
        # on the account answer them.
        "case.work": Rule(customers=TEAM, staff=ANY_STAFF),
        # Following a case (its emails): the account's team, and the staff who work on the account (as agents
        # follow tickets in Zendesk and Zammad; the staff get the staff emails, never the customer's).
        "case.follow": Rule(customers=TEAM, staff=ANY_STAFF),
        # Issue 15: merging a duplicate into another case of the account and linking related cases are for
        # the staff who work on the account, never for customers.
        "case.merge": Rule(staff=ANY_STAFF),
    },
    roles={StaffRole.TAM: _VIEW, StaffRole.AGENT: _VIEW},
)
