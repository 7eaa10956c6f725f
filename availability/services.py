"""State changes of availability monitoring (MISSION: AV-1): an account's target, alert threshold and probe,
validated and audited in the same transaction."""

from django.db import transaction

from accounts.audit import audit
from accounts.models import AuditEvent, User

from .models import AvailabilityProfile

PROFILE_FIELDS = (
    "account",
    "target_pct",
    "sustained_seconds",
    "probe_enabled",
    "probe_seconds",
    "probe_api_url",
    "probe_smtp_host",
    "probe_smtp_port",
    "probe_smtp_from",
    "probe_smtp_to",
)


@transaction.atomic
def availability_profile_save(*, profile: AvailabilityProfile, actor: User, changed: list[str]) -> AvailabilityProfile:
    """A profile added or changed as a form has it (the admin's): the target and threshold before and after."""
    added = profile.pk is None
    fields = [f for f in changed if f in PROFILE_FIELDS]
    if not added and not fields:
        return profile
    fields = fields if not added else list(PROFILE_FIELDS)
    before = {} if added else AvailabilityProfile.objects.filter(pk=profile.pk).values(*fields).get()
    profile.full_clean(exclude=["last_probe_at"])
    profile.save(**({} if added else {"update_fields": fields}))
    # as stored (99.9 typed is 99.900 kept), the same shape as ``before``
    after = AvailabilityProfile.objects.filter(pk=profile.pk).values(*fields).get()
    audit(
        account=profile.account,
        actor=actor,
        kind=AuditEvent.Kind.AVAILABILITY_TARGET_CHANGED,
        target=profile,
        **({"added": after} if added else {"before": before, "after": after}),
    )
    return profile


@transaction.atomic
def availability_profile_remove(*, profile: AvailabilityProfile, actor: User) -> None:
    """Without a profile the account is measured against the default target and not probed."""
    audit(
        account=profile.account,
        actor=actor,
        kind=AuditEvent.Kind.AVAILABILITY_TARGET_CHANGED,
        target=profile,
        removed={"target_pct": profile.target_pct, "sustained_seconds": profile.sustained_seconds},
    )
    profile.delete()
