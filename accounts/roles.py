"""What each staff role may do in the Django admin. The one place staff permissions are defined.

Object-level scoping (which accounts) is not here: it is ``Account.objects.staffed_by(user)``.
"""

from .models.users import StaffRole

_VIEW_ALL = {
    "accounts.view_account",
    "accounts.view_membership",
    "accounts.view_contact",
    "accounts.view_businesscalendar",
    "accounts.view_openingwindow",
    "accounts.view_calendarexception",
    "accounts.view_auditevent",
    "accounts.view_outboundemail",
    "accounts.view_apitoken",
    "cases.view_case",
    "cases.view_caseevent",
    "cases.view_slaalert",
    "cases.view_phoneintake",
    "cases.view_oncallshift",
    "cases.view_inboundmessage",
    "cases.add_oncallshift",
    "cases.change_oncallshift",
    "cases.delete_oncallshift",
    "deliverability.view_blocklist",
    "deliverability.view_messagestream",
    "deliverability.view_monitoredtarget",
    "deliverability.view_listingstatus",
    "deliverability.view_listingevent",
    "deliverability.view_sweep",
    "deliverability.view_authrun",
    "deliverability.view_authfinding",
    "deliverability.view_article",
    "deliverability.view_mediationrequest",
    "planning.view_warmupplan",
    "planning.view_dailyactual",
    "planning.view_capacityrules",
    "planning.view_monthlyforecast",
    "planning.view_peakevent",
    "planning.view_featurerequest",
    "planning.view_businessreview",
    "planning.view_actionitem",
    "planning.view_migrationplan",
    "availability.view_availabilityprofile",
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # MISSION: TAM-1, TAM-2 — a TAM runs their accounts and keeps business hours up to date.
    StaffRole.TAM: frozenset(
        _VIEW_ALL
        | {
            "accounts.change_account",
            "accounts.add_membership",
            "accounts.change_membership",
            "accounts.delete_membership",
            "accounts.add_contact",
            "accounts.change_contact",
            "accounts.delete_contact",
            "accounts.change_businesscalendar",
            "accounts.add_openingwindow",
            "accounts.change_openingwindow",
            "accounts.delete_openingwindow",
            "accounts.add_calendarexception",
            "accounts.change_calendarexception",
            "accounts.delete_calendarexception",
            "accounts.change_apitoken",
            # MISSION: DLV-2 — what an account's monitoring watches.
            "deliverability.add_messagestream",
            "deliverability.change_messagestream",
            "deliverability.delete_messagestream",
            "deliverability.add_monitoredtarget",
            "deliverability.change_monitoredtarget",
            "deliverability.delete_monitoredtarget",
            # MISSION: TAM-6 — TAMs write the best-practice library.
            "deliverability.add_article",
            "deliverability.change_article",
            "deliverability.delete_article",
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
            "planning.add_migrationplan",
            "planning.change_migrationplan",
            # MISSION: AV-1 — the account's availability target.
            "availability.add_availabilityprofile",
            "availability.change_availabilityprofile",
            "planning.change_actionitem",
        }
    ),
    StaffRole.AGENT: frozenset(_VIEW_ALL | {"accounts.add_contact", "accounts.change_contact"}),
}


def role_permissions(user) -> frozenset[str]:
    if not (user.is_active and user.is_staff):
        return frozenset()
    return ROLE_PERMISSIONS.get(user.staff_role, frozenset())
