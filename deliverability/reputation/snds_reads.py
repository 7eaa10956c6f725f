"""Reads of the Microsoft SNDS data (issue 19) that more than one place uses: the page, the dashboard's
and the console's panels, and the warm-up's Microsoft signals (planning reads them through
``signals.warmup_signals``, as it reads Postmaster Tools'). Fixed query counts."""

from datetime import UTC, date, timedelta

from django.db.models import Max, Prefetch
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext

from ..models import SndsBlock, SndsDay

PROVIDER = "microsoft"  # the warm-up provider SNDS speaks for (Outlook.com, Hotmail, Live)
RECENT_DAYS = 2  # SNDS publishes a day late: "today" on the console is its newest day, yesterday or today


def utc_today() -> date:
    return timezone.now().astimezone(UTC).date()


def window(account, first: date) -> dict[str, dict[date, SndsDay]]:
    """The account's rows from ``first`` on, by IP then day (one query)."""
    by_ip: dict[str, dict[date, SndsDay]] = {}
    for row in SndsDay.objects.filter(account=account, day__gte=first).select_related("target"):
        by_ip.setdefault(row.ip, {})[row.day] = row
    return by_ip


def blocks(account) -> list[SndsBlock]:
    return list(SndsBlock.objects.filter(account=account))


def latest(account) -> list[SndsDay]:
    """Each monitored IP's row of the account's newest SNDS day (two queries)."""
    newest = SndsDay.objects.filter(account=account).aggregate(day=Max("day"))["day"]
    if newest is None:
        return []
    rows = SndsDay.objects.filter(account=account, day=newest, target__archived_at__isnull=True)
    return list(rows.exclude(target=None))


def troubled_recent(accounts) -> list[SndsDay]:
    """RED or trap-hit rows of the last ``RECENT_DAYS`` days over ``accounts`` (a queryset), newest first."""
    since = utc_today() - timedelta(days=RECENT_DAYS - 1)
    rows = SndsDay.objects.troubled().filter(account__in=accounts, day__gte=since).select_related("account")
    return list(rows.order_by("-day", "account__name", "ip"))


# --- the warm-up's Microsoft provider (signals.py) -------------------------------------------------------

PREFETCH_TO = "snds_troubled"
KINDS = ("snds_red", "snds_traps")  # the hold reasons below (signals.signal_text shows them)


def warmup_prefetch(prefix: str) -> Prefetch:
    """Prefetch the RED and trap-hit days of the targets at ``prefix`` (``"sending_streams__targets"``): one
    query for every plan of a list."""
    return Prefetch(f"{prefix}__snds_days", queryset=SndsDay.objects.troubled().order_by("day"), to_attr=PREFETCH_TO)


def warmup_signals(targets, first: date, last: date) -> dict[date, list[tuple]]:
    """Per day, the reasons SNDS gives to hold the Microsoft provider: ("snds_red", ip) and ("snds_traps", ip,
    hits). ``targets``: the plan's monitored IPs, prefetched with ``warmup_prefetch`` (else one query)."""
    targets = [t for t in targets if t.is_ip]
    if not targets:
        return {}
    if all(hasattr(t, PREFETCH_TO) for t in targets):
        rows = [row for t in targets for row in getattr(t, PREFETCH_TO)]
    else:
        rows = list(SndsDay.objects.troubled().filter(target__in=targets))
    signals: dict[date, list[tuple]] = {}
    for row in sorted(rows, key=lambda r: (r.day, r.ip)):
        if not first <= row.day <= last:
            continue
        if row.filter_result == SndsDay.Filter.RED:
            signals.setdefault(row.day, []).append(("snds_red", row.ip))
        if row.trap_hits:
            signals.setdefault(row.day, []).append(("snds_traps", row.ip, row.trap_hits))
    return signals


def signal_text(reason: tuple) -> str:
    """Why Microsoft's own data holds the provider, with the figure and SNDS named as the source."""
    if reason[0] == "snds_red":
        return gettext("Microsoft SNDS gave %(ip)s a RED filter result (more than 90%% judged spam)") % {
            "ip": reason[1]
        }
    n = reason[2]
    return ngettext(
        "Microsoft SNDS counted %(n)s spam-trap hit from %(ip)s",
        "Microsoft SNDS counted %(n)s spam-trap hits from %(ip)s",
        n,
    ) % {"n": number_format(n, force_grouping=True), "ip": reason[1]}
