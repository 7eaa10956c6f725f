"""Capacity planning without the ORM: how many dedicated IPs a volume needs, and how long before a peak
their warm-up must start. MISSION: TAM-5.

Rules of thumb (shared/facts/deliverability.md, editable in the admin): about one IP per 3–4 million
messages a day (SendGrid); two or more IPs from 250,000 a month, to keep transactional and marketing
apart; at least 50,000 a day per dedicated IP once warm (SES), or the IPs cannot keep a reputation; the
warm-up lead time is the days the chosen ramp needs to reach a peak's volume per IP.

The IPs the account already has count (``readiness``): a *warmed* IP (its warm-up plan completed or every
provider reached the target, and not idle for more than 30 days since) carries the rules' figure per IP, never
more than its template's top (SES: 50,000 a day); an IP *warming* (in a running plan, at stage N) carries what
it sends a day now; a *cold* IP (never warmed, or idle so long it must be warmed again) carries nothing yet.
A volume above what they carry needs a warm-up: what the warmed IPs cannot carry is shared among the others
(new IPs when the count asks for more), and the days are the ramp's days each of them still has to climb
from its current volume to its share; the slowest decides.
"""

import math
from dataclasses import dataclass, field
from datetime import date

from .warmup import curve


@dataclass(frozen=True)
class Rules:
    per_ip_daily: int = 3_500_000
    split_monthly: int = 250_000
    min_daily_per_ip: int = 50_000
    template: str = "sendgrid"


@dataclass(frozen=True)
class Peak:
    name: str
    day: date
    daily: int


WARMED, WARMING, COLD = "warmed", "warming", "cold"
# An IP no warm-up plan in the portal covers: it may be years warm or never used; the portal does not know, so
# it is not counted as carrying anything, nor as needing a warm-up, and the page says so.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class IpWarmth:
    """How warm one of the account's sending IPs is (``ip_warmth`` reads it from the warm-up plans)."""

    ip: str
    stream: str = ""
    state: str = COLD
    stage: int | None = None  # warming: the stage being climbed, from 1
    daily: int = 0  # warming: what it sends a day now
    top: int | None = None  # the most its plan's template reaches per IP (SES 50,000), None for no limit

    def carries(self, rules: Rules) -> int:
        """The daily volume this IP can take now."""
        if self.state == WARMED:
            return min(rules.per_ip_daily, self.top or rules.per_ip_daily)
        return self.daily if self.state == WARMING else 0


@dataclass
class Readiness:
    daily: int  # the volume asked for
    now: int  # what the account's IPs carry today
    ips: int  # the IPs the account has (whose warmth the portal knows)
    new_ips: int = 0  # to add
    warmup_days: int = 0  # 0: no warm-up needed
    share: int = 0  # the daily volume per IP still to warm
    unknown: int = 0  # IPs of unknown warmth, left out of the figures

    @property
    def ready(self) -> bool:
        return self.daily <= self.now


def ramp_days(template: str, current: int, volume: int) -> int:
    """The days the template's ramp needs to take an IP sending ``current`` a day up to ``volume``."""
    if volume <= current:
        return 0
    return sum(1 for step in curve(template, volume) if step > current)


def readiness(ips: list[IpWarmth], daily: int, needed: int, rules: Rules) -> Readiness:
    """Whether the account's IPs carry ``daily`` now; if not, the new IPs (``needed`` is the count the
    volume asks for) and the days of warm-up before they do. IPs of unknown warmth are left out (and counted)."""
    unknown = sum(1 for ip in ips if ip.state == UNKNOWN)
    ips = [ip for ip in ips if ip.state != UNKNOWN]
    now = sum(ip.carries(rules) for ip in ips)
    if daily <= now:
        return Readiness(daily, now, len(ips), unknown=unknown)
    warm = [ip for ip in ips if ip.state == WARMED]
    rest = daily - sum(ip.carries(rules) for ip in warm)
    new = max(0, needed - len(ips))
    climbing = [ip.daily if ip.state == WARMING else 0 for ip in ips if ip.state != WARMED] + [0] * new
    if not climbing or math.ceil(rest / len(climbing)) > rules.per_ip_daily:  # more IPs than the count says
        extra = max(1, math.ceil(rest / rules.per_ip_daily) - len(climbing))
        new, climbing = new + extra, climbing + [0] * extra
    share = math.ceil(rest / len(climbing))
    days = max(ramp_days(rules.template, current, share) for current in climbing)
    return Readiness(daily, now, len(ips), new, days, share, unknown)


@dataclass
class PeakAdvice:
    peak: Peak
    per_ip: int
    lead_days: int
    start_by: date
    days_left: int
    ready: Readiness | None = None  # with the account's IPs counted

    @property
    def too_late(self) -> bool:
        return self.days_left < self.lead_days


@dataclass
class Advice:
    ips: int
    busiest_day: int
    reasons: list = field(default_factory=list)  # (kind, figures)
    peaks: list[PeakAdvice] = field(default_factory=list)
    thin: bool = False  # too little volume per IP to keep them warm
    existing: list[tuple[IpWarmth, int]] = field(default_factory=list)  # the account's IPs, what each carries
    busiest: Readiness | None = None  # the busiest day against those IPs


def recommend(
    monthly: list[int], peaks: list[Peak], rules: Rules, today: date, existing: list[IpWarmth] | None = None
) -> Advice:
    """The dedicated IP count for the busiest day (a month's average day, or a peak), and each peak's lead time.
    With the account's ``existing`` IPs, the lead time is what those IPs (and any new ones) still need."""
    average_days = [volume / 30 for volume in monthly]
    busiest = max([*average_days, *(p.daily for p in peaks), 0])
    by_volume = math.ceil(busiest / rules.per_ip_daily) if busiest else 0
    reasons = [("volume", round(busiest), rules.per_ip_daily, by_volume)]
    ips = max(by_volume, 1 if busiest else 0)
    if monthly and max(monthly) >= rules.split_monthly and ips < 2:
        ips = 2
        reasons.append(("split", rules.split_monthly))
    typical = sorted(average_days)[len(average_days) // 2] if average_days else 0
    thin = ips > 1 and typical / ips < rules.min_daily_per_ip
    advice = Advice(ips=ips, busiest_day=round(busiest), reasons=reasons, thin=thin)
    advice.existing = [(ip, ip.carries(rules)) for ip in existing or []]
    if existing is not None and busiest:
        advice.busiest = readiness(existing, round(busiest), ips, rules)
    for peak in sorted(peaks, key=lambda p: p.day):
        per_ip = math.ceil(peak.daily / max(ips, 1))
        ready = readiness(existing, peak.daily, ips, rules) if existing is not None else None
        lead = ready.warmup_days if ready else len(curve(rules.template, max(per_ip, 1)))
        days_left = (peak.day - today).days
        advice.peaks.append(
            PeakAdvice(peak, per_ip, lead, peak.day.fromordinal(peak.day.toordinal() - lead), days_left, ready)
        )
    return advice
