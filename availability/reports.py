"""Month reports from the rollups: only the unavailable seconds are read (a partial index holds them), and the
attempts in the short quiet gaps between them that decide whether two of them are one incident.
MISSION: AV-1, CR-0."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Q

from .ledger import CHANNELS, Incident, MonthReport, gaps, incidents, month_bounds, month_report
from .models import AvailabilityProfile, SecondRollup

DEFAULT_TARGET = 99.99
SECONDS_PER_QUERY = 5000


def unavailable_pairs(account, start: int, end: int) -> list[tuple[int, int]]:
    rows = SecondRollup.objects.filter(account=account).between(start, end).unavailable()
    return list(rows.values_list("second", "channel"))


def attempted_in(account, spans: list[tuple[int, int]]) -> list[int]:
    """The seconds with any attempt (either channel) inside ``spans`` ([first, last) pairs, each under a minute
    long); ``account`` an Account or its id."""
    pk = getattr(account, "pk", account)
    return attempted_by_account({pk: spans}).get(pk, [])


def attempted_by_account(spans: dict[int, list[tuple[int, int]]]) -> dict[int, list[int]]:
    """``attempted_in`` for several accounts (account id -> spans) in one query per SECONDS_PER_QUERY seconds, not
    one per account (the console's incidents, issue 18): every second named, channels too, so each is one lookup
    in the rollups' unique index (ranges OR-ed together read far more of a busy account's rows)."""
    wanted = [(account_id, second) for account_id, pairs in spans.items() for a, b in pairs for second in range(a, b)]
    found: dict[int, list[int]] = {}
    for n in range(0, len(wanted), SECONDS_PER_QUERY):
        chunk: dict[int, list[int]] = {}
        for account_id, second in wanted[n : n + SECONDS_PER_QUERY]:
            chunk.setdefault(account_id, []).append(second)
        which = Q()
        for account_id, seconds in chunk.items():
            which |= Q(account_id=account_id, second__in=seconds)
        rows = SecondRollup.objects.filter(which, channel__in=list(CHANNELS.values()))
        for account_id, second in rows.values_list("account_id", "second"):
            found.setdefault(account_id, []).append(second)
    return found


def merged(account, down: list[tuple[int, int]]) -> tuple[int, list[int]]:
    """What ``ledger.incidents`` needs besides ``down``: the merge distance and the attempts in the gaps."""
    merge = settings.INCIDENT_MERGE_SECONDS
    return merge, attempted_in(account, gaps(down, merge))


@dataclass(frozen=True)
class Read:
    """The account's unavailable seconds in [start, end), read once, with what merging them needs: the dashboard
    panel's months and its incident going on now come from one read (issue 18)."""

    start: int
    end: int
    down: list[tuple[int, int]]
    merge: int
    attempted: list[int]

    def covers(self, start: int, end: int) -> bool:
        return self.start <= start and end <= self.end

    def incidents(self, start: int, end: int) -> list[Incident]:
        """As ``incidents_between`` for [start, end) inside what was read: a range's gaps are among the whole
        read's gaps, so the attempts in them are known."""
        return incidents([(s, c) for s, c in self.down if start <= s < end], self.merge, self.attempted)


def read(account, start: int, end: int) -> Read:
    down = unavailable_pairs(account, start, end)
    return Read(start, end, down, *merged(account, down))


def incidents_between(account, start: int, end: int, known: Read | None = None) -> list[Incident]:
    """The account's incidents among the seconds in [start, end), merged as the ledger says (from ``known`` when
    it covers them)."""
    if known is not None and known.covers(start, end):
        return known.incidents(start, end)
    return read(account, start, end).incidents(start, end)


def attempted_channels(account, bounds: list[tuple[int, int]]) -> list[frozenset]:
    """For each [start, end): the channels with any attempt in it, in one query (an EXISTS per channel and
    span, each one index lookup). Written out: the ORM took longer to build the EXISTS subqueries than the
    database to answer them, on every dashboard (issue 18)."""
    quote, meta = connection.ops.quote_name, SecondRollup._meta
    account_id, channel, second = (quote(meta.get_field(name).column) for name in ("account", "channel", "second"))
    where = f"{account_id} = %s AND {channel} = %s AND {second} >= %s AND {second} < %s"
    probe = f"EXISTS(SELECT 1 FROM {quote(meta.db_table)} WHERE {where})"  # noqa: S608 - names from the model
    asked = [(n, name) for n in range(len(bounds)) for name in CHANNELS]
    params = [p for start, end in bounds for code in CHANNELS.values() for p in (account.pk, code, start, end)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join([probe] * len(asked)), params)
        found = {key for key, hit in zip(asked, cursor.fetchone(), strict=True) if hit}
    return [frozenset(name for name in CHANNELS if (n, name) in found) for n in range(len(bounds))]


def target_of(account) -> float:
    return target_in(AvailabilityProfile.objects.filter(account=account).first())


def target_in(profile: AvailabilityProfile | None) -> float:
    return float(profile.target_pct) if profile else DEFAULT_TARGET


def report(account, year: int, month: int) -> MonthReport:
    return months(account, [(year, month)])[0]


def as_json(account, r: MonthReport) -> dict:
    return {
        "account": account.slug,
        "month": f"{r.year:04d}-{r.month:02d}",
        "seconds_in_month": r.seconds_in_month,
        "no_data": r.no_data,
        "unavailable_seconds": {"total": r.unavailable, "by_channel": r.by_channel},
        "availability_pct": None if r.no_data else round(r.availability_pct, 6),
        "availability_pct_by_channel": {name: None if pct is None else round(pct, 6) for name, pct in r.by_channel_pct},
        "target_pct": r.target_pct,
        "budget_left_seconds": round(r.budget_left_seconds, 3),
        "incidents": [i.as_dict() for i in r.incidents],
    }


def daily_bars(account, today_start: int, days: int = 90) -> list[dict]:
    """Unavailable seconds per UTC day for the last ``days`` days (the oldest first), for the bars."""
    start = today_start - (days - 1) * 86400
    per_day: dict[int, set] = {}
    for second, _channel in unavailable_pairs(account, start, today_start + 86400):
        per_day.setdefault((second - start) // 86400, set()).add(second)
    return [{"day": start + n * 86400, "seconds": len(per_day.get(n, ()))} for n in range(days)]


def months(account, wanted: list[tuple[int, int]], known: Read | None = None, target=None) -> list[MonthReport]:
    """Several months from one read of the unavailable seconds (``known`` when it covers them), one of the target
    (unless given), one of the channels attempted, and one per 5,000 quiet seconds between unavailable seconds."""
    if not wanted:
        return []
    bounds = [month_bounds(y, m) for y, m in wanted]
    start, end = min(b[0] for b in bounds), max(b[1] for b in bounds)
    known = known if known is not None and known.covers(start, end) else read(account, start, end)
    target = target_of(account) if target is None else target
    reports = [month_report(y, m, known.down, target, known.merge, known.attempted) for y, m in wanted]
    for r, channels in zip(reports, attempted_channels(account, bounds), strict=True):
        r.attempted_channels = channels
    return reports
