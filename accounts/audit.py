"""The one way an audit row is written: ``audit(...)``, called by a service inside the transaction of the
change it records, so the row and the change are saved (or rolled back) together. Nothing else creates
``AuditEvent`` rows (a test greps the source tree for it)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from core.panel_cache import changed

from .models import Account, AuditEvent, User


def audit(
    *,
    actor: User | None,
    account: Account | None,
    kind: str,
    target: models.Model | None = None,
    **details,
) -> AuditEvent:
    """Record that ``actor`` did ``kind`` on ``account`` (to ``target``, if one). ``details`` are JSON
    (dates and decimals allowed): what a reader of the trail needs to know what changed."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit() belongs inside the transaction of the change it records (@transaction.atomic)")
    if kind not in AuditEvent.Kind.values:
        raise ValueError(f"not an audit kind: {kind}")
    event = AuditEvent(account=account, actor=actor, kind=kind, details=details)
    if target is not None:
        event.target_type = ContentType.objects.get_for_model(target)
        event.target_id = str(target.pk)
        event.target_label = str(target)[:200]
    event.save()
    changed(account.pk if account is not None else None)  # the dashboard's cached panels (core.panel_cache)
    return event
