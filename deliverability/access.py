"""What the deliverability app lets each person do; collected by ``accounts.access``."""

from accounts.access import ADMIN, TEAM, Grants, Rule
from accounts.models import StaffRole

_VIEW = frozenset(
    {
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
        "deliverability.view_senderprofile",
        "deliverability.view_dmarcreport",
        "deliverability.view_dmarcaddress",
        "deliverability.view_dmarcrollup",
        "deliverability.view_sndsconnection",
        "deliverability.view_sndsday",
        "deliverability.view_sndsblock",
        "deliverability.view_postmasterconnection",
        "deliverability.view_postmasterdomain",
        "deliverability.view_postmasterday",
    }
)

GRANTS = Grants(
    actions={
        # MISSION: DLV-2 — account admins and the account's TAMs change what is monitored; agents see it.
        "monitoring.manage": Rule(customers=frozenset({ADMIN}), staff="deliverability.change_monitoredtarget"),
        # MISSION: DLV-3 — the customer's team writes and submits a mediation request and the account's TAMs
        # work it (README: Console → Mediation); support agents read it but neither edit, submit nor work it.
        "mediation.work": Rule(customers=TEAM, staff="deliverability.change_mediationrequest"),
        # MISSION: TAM-6 — the account's TAM records the customer's sender profile (industry, volume, providers).
        "profile.manage": Rule(staff="deliverability.change_senderprofile"),
        # Issue 19 (MISSION: DLV-1): the customer's team and the account's TAMs upload DMARC reports; the
        # account admin and the TAMs change the report address; agents read the reports.
        "dmarc.upload": Rule(customers=TEAM, staff="deliverability.add_dmarcreport"),
        "dmarc.manage": Rule(customers=frozenset({ADMIN}), staff="deliverability.change_dmarcaddress"),
        # the account's TAMs and the support agents count a refused report again ("count again", "replay all")
        "dmarc.replay": Rule(staff="deliverability.change_dmarcreport"),
        # Issue 19 (MISSION: DLV-1, DLV-2): the account admin and the account's TAMs enter, test and remove the
        # Microsoft SNDS key; everyone who reads the account reads what SNDS said.
        "snds.manage": Rule(customers=frozenset({ADMIN}), staff="deliverability.change_sndsconnection"),
        # Issue 19: the account admin connects Google Postmaster Tools with their own Google sign-in (the
        # consent is the customer's to give); everyone who reads the account reads the imported figures.
        "postmaster.connect": Rule(customers=frozenset({ADMIN})),
        # Issue 19: the account admin and the account's TAMs ask for an import now (a Celery task, rate-limited).
        "postmaster.import": Rule(customers=frozenset({ADMIN}), staff="deliverability.change_postmasterconnection"),
    },
    roles={
        StaffRole.TAM: _VIEW
        | {
            # MISSION: DLV-2 — what an account's monitoring watches.
            "deliverability.add_messagestream",
            "deliverability.change_messagestream",
            "deliverability.delete_messagestream",
            "deliverability.add_monitoredtarget",
            "deliverability.change_monitoredtarget",
            "deliverability.delete_monitoredtarget",
            # MISSION: DLV-3 — TAMs work the mediation requests of their accounts.
            "deliverability.change_mediationrequest",
            # MISSION: TAM-6 — TAMs write the best-practice library.
            "deliverability.add_article",
            "deliverability.change_article",
            "deliverability.delete_article",
            # MISSION: TAM-6 — what the customer's business is, so the library recommends what is relevant.
            "deliverability.add_senderprofile",
            "deliverability.change_senderprofile",
            # Issue 19: DMARC reports: upload one, replay a refused one, change the report address.
            "deliverability.add_dmarcreport",
            "deliverability.change_dmarcreport",
            "deliverability.change_dmarcaddress",
            # Issue 19: the Microsoft SNDS key of the account (enter, test, remove).
            "deliverability.change_sndsconnection",
            # Issue 19: "Import now" of the account's Google Postmaster Tools data.
            "deliverability.change_postmasterconnection",
        },
        # Issue 19: agents count refused DMARC reports again (support work), nothing else of the reports.
        StaffRole.AGENT: _VIEW | {"deliverability.change_dmarcreport"},
    },
)
