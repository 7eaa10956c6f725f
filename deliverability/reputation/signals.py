"""What mailbox providers' own data says about a warm-up (issue 19): the one public read planning uses, one
way for every source. Microsoft SNDS (a RED day or trap hits on an IP the plan warms: ``snds_reads``) and
Google Postmaster Tools (a rising spam rate or a LOW/BAD reputation of the account's domains:
``postmaster_signals``) each give, per day, reasons that hold their provider that day; planning adds them to
the day's actuals (``planning.warmup.Day.signals``) and ``decide()`` holds. ``signal_text`` says a reason in
the reader's language. MISSION: DLV-1.

A plan here is anything with ``pk``, ``account_id``, ``account`` (for its calendar day), ``start_date`` and
``sending_targets()`` (the monitored IPs it warms): planning's ``WarmupPlan``.

``reputation_changed`` (a Django signal, ``account_id`` and ``provider``) is sent after an import stored new
days, once its transaction committed; planning listens and tells the account's alert destinations when a
provider of a running plan turned to "hold" or was released (``current_holds`` says which, on the newest
day). Deliverability never imports planning: the signal is the only way it speaks to it."""

from datetime import date, timedelta

from django.db import transaction
from django.db.models import Max
from django.dispatch import Signal

from ..models import PostmasterDay, SndsDay
from . import postmaster_signals, snds_reads

KINDS = snds_reads.KINDS + postmaster_signals.KINDS
Signals = dict[str, dict[date, list[tuple]]]  # per provider, per day: the reasons to hold it
PROVIDERS = (snds_reads.PROVIDER, postmaster_signals.PROVIDER)
CURRENT_DAYS = 7  # a source's newest day older than this says nothing about "now"

reputation_changed = Signal()  # sent with account_id=, provider= ("microsoft" or "gmail")


def send_changed(*, account_id: int, provider: str) -> None:
    """Say, once the import's transaction has committed, that ``provider``'s data of the account has new days."""
    transaction.on_commit(
        lambda: reputation_changed.send(sender=provider, account_id=account_id, provider=provider), robust=True
    )


def warmup_prefetch(prefix: str):
    """What a list of plans prefetches so that ``warmup_signals`` reads SNDS with no query per plan
    (``prefix``: the path to the plans' monitored targets, ``"sending_streams__targets"``)."""
    return snds_reads.warmup_prefetch(prefix)


def warmup_signals(plans, today: date | None = None) -> dict[int, Signals]:
    """Per plan id, the reasons each provider's data gives to hold it, per day from the plan's start to
    ``today`` (the plan's account's day unless given). One query for Postmaster Tools whatever the number of
    plans and accounts (none without plans); SNDS from ``warmup_prefetch`` (else one query per plan)."""
    plans = list(plans)
    if not plans:
        return {}
    windows = {plan.pk: (plan.start_date, today or plan.account.today()) for plan in plans}
    gmail = postmaster_signals.warmup_signals(
        {plan.account_id for plan in plans},
        min(first for first, _last in windows.values()),
        max(last for _first, last in windows.values()),
    )
    found: dict[int, Signals] = {}
    for plan in plans:
        first, last = windows[plan.pk]
        by_provider: Signals = {}
        microsoft = snds_reads.warmup_signals(plan.sending_targets(), first, last)
        if microsoft:
            by_provider[snds_reads.PROVIDER] = microsoft
        held = {day: reasons for day, reasons in gmail.get(plan.account_id, {}).items() if first <= day <= last}
        if held:
            by_provider[postmaster_signals.PROVIDER] = held
        found[plan.pk] = by_provider
    return found


def signal_text(reason: tuple) -> str:
    """One reason of ``warmup_signals`` in the reader's language, its source named."""
    if reason[0] in snds_reads.KINDS:
        return snds_reads.signal_text(reason)
    return postmaster_signals.signal_text(reason)


def _newest_days(plans, provider: str) -> dict[int, date]:
    """Per plan, the newest day its source has data for (SNDS: the plan's IPs; Postmaster Tools: the account's
    domains). Two queries at most whatever the number of plans."""
    if provider == postmaster_signals.PROVIDER:
        rows = PostmasterDay.objects.filter(account_id__in={p.account_id for p in plans}).values("account_id")
        newest = dict(rows.annotate(day=Max("day")).values_list("account_id", "day"))
        return {plan.pk: newest[plan.account_id] for plan in plans if plan.account_id in newest}
    ips = {plan.pk: [t.pk for t in plan.sending_targets() if t.is_ip] for plan in plans}
    targets = {pk for found in ips.values() for pk in found}
    rows = SndsDay.objects.filter(target_id__in=targets).values("target_id").annotate(day=Max("day"))
    newest = dict(rows.values_list("target_id", "day"))
    found = {pk: max((newest[t] for t in ids if t in newest), default=None) for pk, ids in ips.items()}
    return {pk: day for pk, day in found.items() if day is not None}


def current_holds(plans, provider: str, today: date | None = None) -> dict[int, tuple[date, list[tuple]]]:
    """Per plan, what ``provider``'s own data says now: (its newest day, the reasons that day holds it; [] when
    it is clear). A plan is left out when the source has no day from its start on within ``CURRENT_DAYS`` of
    its account's today (nothing current to say: a backfill's old days, a source not connected)."""
    plans = list(plans)
    if not plans:
        return {}
    newest = _newest_days(plans, provider)
    signals = warmup_signals([plan for plan in plans if plan.pk in newest], today)
    found = {}
    for plan in plans:
        day = newest.get(plan.pk)
        now = today or plan.account.today()
        if day is None or day < plan.start_date or day < now - timedelta(days=CURRENT_DAYS):
            continue
        found[plan.pk] = (day, signals.get(plan.pk, {}).get(provider, {}).get(day, []))
    return found
