"""Migration from the previous provider, without the ORM: the share of each stream on Email Enterprise
day by day, following the warm-up when there is one. MISSION: TAM-3.

Facts (shared/facts/deliverability.md): a parallel run of 4–8 weeks; each day a per-stream quota goes to
the new IPs and the rest stays on the old provider; DNS changes (SPF include, DKIM, bounce domain CNAME)
come first; after cut-over the old SPF include goes, the old DKIM key stays a while.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Stream:
    name: str
    daily_volume: int


@dataclass(frozen=True)
class DayShare:
    day: date
    stream: str
    share: float  # 0..1 on Email Enterprise
    new: int
    old: int

    @property
    def percent(self) -> float:
        """The share in percent, rounded down to a tenth: a cut-over below 100% never reads as 100%."""
        return math.floor(self.share * 1000 + 1e-9) / 10


def schedule(streams: list[Stream], start: date, weeks: int, warmup_days: list[int] | None = None) -> list[DayShare]:
    """Day by day, per stream. With a warm-up, the new side carries what the warm-up plans for that day,
    spread over the streams in proportion to their volume; without one, a straight ramp over the weeks."""
    total = sum(s.daily_volume for s in streams)
    days = max(weeks * 7, len(warmup_days or []))
    out = []
    for n in range(days):
        if warmup_days:
            capacity = warmup_days[min(n, len(warmup_days) - 1)]
            share = min(1.0, capacity / total) if total else 1.0
        else:
            share = min(1.0, (n + 1) / (weeks * 7))
        for stream in streams:
            new = round(stream.daily_volume * share)
            out.append(DayShare(start + timedelta(days=n), stream.name, share, new, stream.daily_volume - new))
    return out


def weekly(days: list[DayShare]) -> list[dict]:
    """Week by week: the share on Email Enterprise at the week's end, per stream."""
    if not days:
        return []
    start = days[0].day
    weeks: dict[int, dict] = {}
    for d in days:
        week = (d.day - start).days // 7
        row = weeks.setdefault(week, {"week": week + 1, "from": start + timedelta(days=7 * week), "streams": {}})
        row["streams"][d.stream] = d
    return [weeks[k] for k in sorted(weeks)]


DEFAULT_MILESTONES = [
    # (kind, days from the start (negative: before; "auth": before the first message on the new IPs), owner side)
    ("spf_include", "auth", "customer"),
    ("dkim", "auth", "customer"),
    ("dmarc", "auth", "customer"),
    ("rdns", "auth", "tam"),  # the new IPs are Email Enterprise's: their PTR records are ours to set
    ("bounce_domain", -5, "customer"),
    ("cutover", None, "tam"),  # the last day of the parallel run
    ("remove_old_spf", 7, "customer"),  # days after cut-over
    ("retire_old_dkim", 30, "customer"),
]
