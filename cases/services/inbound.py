"""Staff decisions on inbound email that needs a person: replay a failed or quarantined message, or route it
to the account (and case) a person chose. The decision is audited in its own transaction; the routing then
runs like any delivery (``ingest.process`` claims the message outside a caller's transaction)."""

from django.db import transaction

from accounts.audit import audit
from accounts.models import Account, AuditEvent, User
from cases.email import ingest
from cases.models import Case, InboundMessage
from core.text import _

REPLAYABLE = (InboundMessage.Status.FAILED, InboundMessage.Status.QUARANTINED)
DISCARDED = _("discarded by %(name)s: %(reason)s")


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


def inbound_release(*, message: InboundMessage, actor: User) -> ingest.Outcome:
    """Staff vouch for a quarantined message whose sender is not verified: it is routed as its sender (a reply
    on the case it answers, or a new case), and its timeline entry says "unverified — released by <staff>"."""
    if message.status != InboundMessage.Status.QUARANTINED:
        return ingest.Outcome(message.result or message.status, None, message.reason)
    _record(message=message, actor=actor, account=message.account, action="release", before=message.status)
    return ingest.process(message.pk, actor=actor, released=True)


@transaction.atomic
def inbound_discard(*, message: InboundMessage, actor: User, reason: str) -> ingest.Outcome:
    """Staff throw a quarantined (or failed) message away, saying why; the raw message stays for the record."""
    reason = " ".join(reason.split())[:500]
    if not reason:
        raise ValueError("a reason is required")
    claimed = InboundMessage.objects.filter(pk=message.pk, status__in=REPLAYABLE).update(
        status=InboundMessage.Status.IGNORED,
        result="ignored",
        reason=DISCARDED % {"name": actor.full_name, "reason": reason},
        attention={},
        claimed_at=None,
    )
    if not claimed:
        return ingest.Outcome(message.result or message.status, None, message.reason)
    before, account = message.status, message.account
    _record(message=message, actor=actor, account=account, action="discard", before=before, reason=reason)
    return ingest.Outcome("ignored", None, DISCARDED % {"name": actor.full_name, "reason": reason})
