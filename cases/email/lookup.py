"""Who and what an inbound message names: the case it threads onto (read locked for the change it may make), whether
its sender may write there, and the accounts a sender without a case belongs to (``ingest`` routes by these;
STYLE: tenant isolation: only the sender's own account's cases and accounts, never another's)."""

from django.db.models import Q

from accounts.access import can
from accounts.models import Account, Contact
from cases.models import Case, InboundMessage

from . import ids
from .parse import Parsed


def referenced_case(parsed: Parsed) -> tuple[Case | None, str | None]:
    """The case: our signed Message-IDs first (In-Reply-To, then References right to left), then a subject
    token, one query for each kind whatever the number of references. And whom the emails it answers went to:
    ``ids.STAFF_COPY`` when any of our Message-IDs in the thread is a copy sent to staff only (so never the
    customer's conversation), else ``ids.CUSTOMER_COPY`` when one is the customer's copy, else ``None``.
    The case is read locked for the change the message may make (``Case.objects.for_change``)."""
    audiences = {ids.audience_of(mid) for mid in parsed.thread_ids}
    audience = next((a for a in (ids.STAFF_COPY, ids.CUSTOMER_COPY) if a in audiences), None)
    case_ids = [cid for cid in (ids.case_id_from(mid) for mid in parsed.thread_ids) if cid is not None]
    if case_ids:
        found = {c.pk: c for c in Case.objects.for_change(lean=True).filter(pk__in=case_ids)}
        for cid in case_ids:
            if cid in found:
                return destination(found[cid]), audience
    tokens = ids.subject_tokens(parsed.subject)
    if tokens:
        found = {c.number: c for c in Case.objects.for_change(lean=True).filter(number__in=tokens)}
        for token in tokens:
            if token in found:
                return destination(found[token]), audience
    return None, audience


def destination(case: Case) -> Case:
    """Issue 15: a merged case's mail goes where it went; that case, too, read locked for the change."""
    destination = case.destination()
    return case if destination is case else Case.objects.for_change(lean=True).get(pk=destination.pk)


def may_write_to(case: Case, sender: str, user) -> bool:
    if user is not None and user.is_staff:
        return can(user, "case.work", case.account)
    if user is not None and can(user, "case.work", case.account):
        return True
    if Contact.objects.filter(account_id=case.account_id, email__iexact=sender).exists():
        return True
    return bool(case.contact_email) and case.contact_email.lower() == sender


def accounts_of(sender: str, user, parsed: Parsed, message: InboundMessage) -> list[Account]:
    """The accounts the sender is a contact of, or (with a login) on the team of: one query."""
    known = Q(contacts__email__iexact=sender)
    if user is not None:
        known |= Q(memberships__user=user)
    found = list(Account.objects.exclude(status=Account.Status.CLOSED).filter(known).distinct().order_by("name"))
    if len(found) > 1:  # the address it was sent to may settle it
        addressed = {r.lower() for r in [*parsed.recipients, message.envelope_recipient] if r}
        narrowed = [a for a in found if a.support_email.lower() in addressed]
        if len(narrowed) == 1:
            return narrowed
    return found
