"""What mailbox providers' own data says about a warm-up (issue 19): the one public read planning uses, one
way for every source. Microsoft SNDS (a RED day or trap hits on an IP the plan warms: ``snds_reads``) and
Google Postmaster Tools (a rising spam rate or a LOW/BAD reputation of the account's domains:
``postmaster_signals``) each give, per day, reasons that hold their provider that day; planning adds them to
the day's actuals (``planning.warmup.Day.signals``) and ``decide()`` holds. ``signal_text`` says a reason in
the reader's language. MISSION: DLV-1.

A plan here is anything with ``pk``, ``account_id``, ``account`` (for its calendar day), ``start_date`` and
``sending_targets()`` (the monitored IPs it warms): planning's ``WarmupPlan``."""

from datetime import date

from . import postmaster_signals, snds_reads

KINDS = snds_reads.KINDS + postmaster_signals.KINDS
Signals = dict[str, dict[date, list[tuple]]]  # per provider, per day: the reasons to hold it


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
