"""Staff decisions on inbound email that needs a person: replay a failed or quarantined message, or route it
to the account (and case) a person chose. The decision is audited in its own transaction; the routing then
runs like any delivery (``ingest.process`` claims the message outside a caller's transaction)."""

from django.db import transaction

from accounts.audit import audit
from accounts.models import Account, AuditEvent, User
from cases.email import ingest
from cases.models import Case, InboundMessage

REPLAYABLE = (InboundMessage.Status.FAILED, InboundMessage.Status.QUARANTINED)


@transaction.atomic
def _record(*, message: InboundMessage, actor: User, account: Account | None, **details) -> None:
    audit(actor=actor, account=account, kind=AuditEvent.Kind.INBOUND_REPLAYED, target=message, **details)


def inbound_replay(*, message: InboundMessage, actor: User) -> ingest.Outcome:
    """Process a failed or quarantined message again; any other is left as it is (and not audited)."""
    with transaction.atomic():
        reset = InboundMessage.objects.filter(pk=message.pk, status__in=REPLAYABLE).update(
            status=InboundMessage.Status.RECEIVED
        )
        if reset:
            _record(message=message, actor=actor, account=message.account, action="replay", before=message.status)
    return ingest.process(message.pk)


def inbound_assign(
    *, message: InboundMessage, actor: User, account: Account, case: Case | None = None
) -> ingest.Outcome:
    """Route the message to the account (and case) a person chose."""
    _record(
        message=message,
        actor=actor,
        account=account,
        action="assign",
        before=message.status,
        case=case.number if case else "",
    )
    return ingest.process(message.pk, account=account, case=case, actor=actor)
