"""Each mailbox provider's standard form: the fields its sender-support form asks for and where the TAM
sends it. MISSION: DLV-3 (Tier 1 mediation on the standard form).

Written from shared/facts (reputation.md: SNDS, JMRP, Yahoo CFL by DKIM d=, Postmaster Tools' spam rate
and reputation; authentication.md: Microsoft's ``550 5.7.515``); the page shows the source beside each
address. Apple and any other provider get the generic form: no provider-specific fields, no address.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ProviderForm:
    fields: tuple[str, ...]  # MediationRequest fields this provider's form asks for
    form_url: str = ""  # where the TAM sends the text
    source: str = ""  # where that address and those fields come from
    enrolment: tuple[tuple[str, object], ...] = ()  # (field, label): programmes the sender should be in


FORMS = {
    "microsoft": ProviderForm(
        fields=("ndr_code", "snds_enrolled", "jmrp_enrolled"),
        form_url="https://olcsupport.office.com/",
        source="Microsoft Sender Support, https://sendersupport.olc.protection.outlook.com/pm/",
        enrolment=(("snds_enrolled", _("SNDS (Smart Network Data Services)")), ("jmrp_enrolled", _("JMRP"))),
    ),
    "yahoo": ProviderForm(
        fields=("dkim_domain", "cfl_enrolled"),
        form_url="https://senders.yahooinc.com/contact",
        source="Yahoo Sender Hub, https://senders.yahooinc.com/",
        enrolment=(("cfl_enrolled", _("Complaint Feedback Loop (CFL)")),),
    ),
    "gmail": ProviderForm(
        fields=("spam_rate", "domain_reputation", "ip_reputation"),
        form_url="https://support.google.com/mail/contact/bulk_send_new",
        source="Google, Email sender guidelines, https://support.google.com/a/answer/81126",
    ),
}
GENERIC = ProviderForm(fields=())
SPECIFIC_FIELDS = tuple(dict.fromkeys(name for form in FORMS.values() for name in form.fields))
GMAIL_SPAM_CEILING = 0.3  # percent: at 0.30% or more Gmail offers no mitigation (facts: reputation.md)


def form_for(provider: str) -> ProviderForm:
    return FORMS.get(provider, GENERIC)
