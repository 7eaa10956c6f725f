"""State changes of the library that belong to an account: the sender profile the TAM records.

MISSION: TAM-6 — information on industry trends and best practices *relevant to the customer's business*:
the TAM records the customer's industry, daily volume and main mailbox providers, and the library's
recommendations and new-article notices follow them (``content.profile_topics``).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.access import can
from accounts.audit import audit
from accounts.models import Account, AuditEvent, User
from deliverability.models import SenderProfile

FIELDS = ("industry", "daily_volume", "providers")


@transaction.atomic
def sender_profile_save(
    *, account: Account, actor: User, industry: str = "", daily_volume: int | None = None, providers=()
) -> SenderProfile:
    """Record what the TAM knows of the customer's sending; audited with what changed, from what to what."""
    if not can(actor, "profile.manage", account):
        raise ValidationError(_("Only the account's TAM records its sender profile."))
    profile, created = SenderProfile.objects.select_for_update().get_or_create(account=account)
    before = {name: getattr(profile, name) for name in FIELDS}
    profile.industry = industry or ""
    profile.daily_volume = daily_volume
    profile.providers = [p for p in SenderProfile.Provider.values if p in set(providers or ())]
    profile.full_clean(exclude=["account"])
    changed = [name for name in FIELDS if getattr(profile, name) != before[name]]
    if not changed and not created:
        return profile
    profile.save()
    audit(
        actor=actor,
        account=account,
        kind=AuditEvent.Kind.SENDER_PROFILE_CHANGED,
        target=profile,
        changed={name: [before[name], getattr(profile, name)] for name in changed},
    )
    return profile
