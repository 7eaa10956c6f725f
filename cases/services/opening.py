"""Opening a case: its number, the checks and the opening event (MISSION NC-1, CR-1, CR-2)."""

import re

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can
from accounts.models import Account, Membership
from cases import limits
from cases.models import Case, CaseEvent, CaseSequence
from cases.notifications import notify_all
from cases.transitions import CaseStateError
from core.text import Msg

from . import clocks, ledger, webhook_events
from .common import record
from .files import attach


def _sequence(account: Account) -> CaseSequence:
    """The account's case-number sequence; its prefix (ACME) is unique, made so on first use."""
    sequence = CaseSequence.objects.filter(account=account).first()
    if sequence is not None:
        return sequence
    base = re.sub(r"[^A-Z0-9]", "", account.slug.upper())[:12] or "CASE"
    for n in range(1, 1000):
        prefix = base if n == 1 else f"{base[: 12 - len(str(n))]}{n}"
        # ON CONFLICT DO NOTHING: when the prefix belongs to another account nothing is created; try the next.
        CaseSequence.objects.bulk_create([CaseSequence(account=account, prefix=prefix)], ignore_conflicts=True)
        sequence = CaseSequence.objects.filter(account=account).first()
        if sequence is not None:
            return sequence
    raise CaseStateError(_("No case number prefix is free for this account."))


_INCREMENT = "UPDATE {table} SET {last} = {last} + 1 WHERE {account} = %s RETURNING {prefix}, {last}"


def _next_number(account: Account) -> str:
    """One statement once the sequence exists: the increment (a row lock until commit) returning the number."""
    meta = CaseSequence._meta
    names = {"table": meta.db_table, **{f: meta.get_field(f).column for f in ("last", "account", "prefix")}}
    with connection.cursor() as cursor:
        cursor.execute(_INCREMENT.format(**{k: connection.ops.quote_name(v) for k, v in names.items()}), [account.pk])
        row = cursor.fetchone()
    if row is None:  # the account's first case: make its sequence (and prefix), then count
        _sequence(account)
        CaseSequence.objects.filter(account=account).update(last=F("last") + 1)
        row = CaseSequence.objects.values_list("prefix", "last").get(account=account)
    prefix, last = row
    return f"{prefix}-{last:06d}"


@transaction.atomic
def case_open(
    *,
    account: Account,
    actor,
    subject: str,
    description: str,
    severity: str,
    category: str,
    channel: str = Case.Channel.PORTAL,
    callback_requested: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    followers=(),
    files=(),
    strict_files: bool = True,
    acknowledge: bool = True,
    announce: bool = True,
    now=None,
    sender_check: dict | None = None,
) -> Case:
    """MISSION: NC-1, CR-1 — a case filed through the portal, by email or from a phone call. The case comes
    back with ``opened_event``, its opening on the timeline (``None`` when not announced here)."""
    now = now or timezone.now()
    if not isinstance(subject, Msg):  # a message (a phone call's case) is one line already
        subject = " ".join(subject.split())[:200]  # a subject is one line
    description = description.strip()
    is_customer = actor is not None and not actor.is_staff
    _check_opening(account, actor, subject, description, callback_requested, contact_phone, is_customer)
    case = Case(
        account=account,
        number=_next_number(account),
        subject=subject,
        description=description,
        severity=severity,
        category=category,
        channel=channel,
        reporter=actor if is_customer else None,
        callback_requested=callback_requested and severity == Case.Severity.CRITICAL,
        contact_name=contact_name or (actor.full_name if is_customer else ""),
        contact_phone=contact_phone.strip(),
        contact_email=contact_email,
    )
    _save_with_clocks(case, now)
    members = Membership.objects.filter(account=account, user__in=[u.pk for u in followers]).values_list("user")
    case.followers.add(*(m for (m,) in members), *([actor] if is_customer else []))
    # A case opened from a phone call is announced by the call's own event: one email per person (issue 15).
    case.opened_event = _record_opening(
        case,
        actor,
        files,
        strict_files=strict_files,
        acknowledge=acknowledge and announce,
        announce=announce,
        sender_check=sender_check,
    )
    webhook_events.case_opened(case)
    return case


def _save_with_clocks(case: Case, now) -> None:
    """The first clock (a callback for a critical case that asked for one, else the response) and one INSERT."""
    if case.is_critical and case.callback_requested:
        clocks.start_callback(case, now)
    else:
        clocks.start_response(case, now)
    clocks.refresh(case, now)  # a new case has no alerts yet: no query, one INSERT with everything
    case.save()
    ledger.track(case, now, new=True)


def _check_opening(account, actor, subject, description, callback_requested, contact_phone, is_customer) -> None:
    if not subject or not description:
        raise CaseStateError(_("A case needs a subject and a description."))
    if limits.too_long(description):  # issue 15: the form says so first; the email path shortens first
        raise CaseStateError(limits.too_long(description))
    if callback_requested and not contact_phone.strip():
        raise CaseStateError(_("Give the phone number we should call back."))
    if is_customer and not can(actor, "case.work", account):
        raise CaseStateError(_("You are not on this account's team."))


def _record_opening(
    case: Case, actor, files, *, strict_files: bool, acknowledge: bool, announce: bool = True, sender_check=None
) -> CaseEvent:
    """The opening on the timeline with its files, the notifications, and the acknowledgement (one insert of
    both notifications)."""
    event = record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.OPENED,
        body=case.description,
        severity=case.severity,
        category=case.category,
        channel=case.channel,
        # A contact without a login who wrote the case: they get the acknowledgement, not their own text back.
        **({"from_address": case.contact_email} if actor is None and case.contact_email else {}),
        **({"sender": sender_check} if sender_check else {}),  # how an email's sender was verified (issue 14)
    )
    refused = attach(case, event, actor, files, strict=strict_files)
    if refused:
        event.details["refused_attachments"] = refused
        event.save(update_fields=["details"])
    notices = [(event, case.account.active_tams() if case.is_critical else [], None)] if announce else []
    if acknowledge:  # never to a machine-made message (RFC 3834): no loops, no backscatter
        ack = record(case, actor=None, kind=CaseEvent.Kind.ACKNOWLEDGED, body="")
        notices.append((ack, [], None))
    if notices:
        notify_all(notices)
    return event
