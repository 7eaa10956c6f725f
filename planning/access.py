"""What the planning app lets each person do; collected by ``accounts.access``."""

from accounts.access import ADMIN, Grants, Rule
from accounts.models import StaffRole

_VIEW = frozenset(
    {
        "planning.view_warmupplan",
        "planning.view_dailyactual",
        "planning.view_capacityrules",
        "planning.view_monthlyforecast",
        "planning.view_peakevent",
        "planning.view_featurerequest",
        "planning.view_businessreview",
        "planning.view_actionitem",
        "planning.view_migrationplan",
        "planning.view_migrationstream",
        "planning.view_milestone",
    }
)

GRANTS = Grants(
    actions={
        # MISSION: DLV-1, TAM-5 — the account's TAMs make and change warm-up plans.
        "warmup.plan": Rule(staff="planning.add_warmupplan"),
        # The day's sending figures come from the account admin (or their pipeline) and the TAMs.
        "warmup.send_actuals": Rule(customers=frozenset({ADMIN}), staff="planning.add_dailyactual"),
        # MISSION: TAM-5 — the monthly forecast and peaks: the account admin and the TAMs.
        "capacity.edit": Rule(customers=frozenset({ADMIN}), staff="planning.change_monthlyforecast"),
        # MISSION: TAM-5 — the TAMs set status, priority and notes, hold reviews and give them actions.
        "roadmap.manage": Rule(staff="planning.change_featurerequest"),
        # MISSION: TAM-3 — the TAMs make migration plans; each side signs for itself.
        "migration.manage": Rule(staff="planning.add_migrationplan"),
        "migration.sign": Rule(customers=frozenset({ADMIN}), staff="planning.add_migrationplan"),
    },
    roles={
        StaffRole.TAM: _VIEW
        | {
            # MISSION: DLV-1, TAM-5 — TAMs make and run warm-up plans.
            "planning.add_warmupplan",
            "planning.change_warmupplan",
            "planning.delete_warmupplan",
            "planning.add_dailyactual",
            "planning.change_dailyactual",
            "planning.delete_dailyactual",
            "planning.change_capacityrules",
            "planning.add_monthlyforecast",
            "planning.change_monthlyforecast",
            "planning.delete_monthlyforecast",
            "planning.add_peakevent",
            "planning.change_peakevent",
            "planning.delete_peakevent",
            "planning.change_featurerequest",
            "planning.add_businessreview",
            "planning.change_businessreview",
            "planning.add_actionitem",
            "planning.change_actionitem",
            "planning.add_migrationplan",
            "planning.change_migrationplan",
            # MISSION: TAM-3 — plans are edited in the admin too: their streams and milestones
            "planning.add_migrationstream",
            "planning.change_migrationstream",
            "planning.delete_migrationstream",
            "planning.add_milestone",
            "planning.change_milestone",
            "planning.delete_milestone",
        },
        StaffRole.AGENT: _VIEW,
    },
)
