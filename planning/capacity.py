"""Capacity planning without the ORM: how many dedicated IPs a volume needs, and how long before a peak
their warm-up must start. MISSION: TAM-5.

Rules of thumb (shared/facts/deliverability.md, editable in the admin): about one IP per 3–4 million
messages a day (SendGrid); two or more IPs from 250,000 a month, to keep transactional and marketing
apart; at least 50,000 a day per dedicated IP once warm (SES), or the IPs cannot keep a reputation; the
warm-up lead time is the days the chosen ramp needs to reach a peak's volume per IP.
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


@dataclass
class PeakAdvice:
    peak: Peak
    per_ip: int
    lead_days: int
    start_by: date
    days_left: int

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


def recommend(monthly: list[int], peaks: list[Peak], rules: Rules, today: date) -> Advice:
    """The dedicated IP count for the busiest day (a month's average day, or a peak), and each peak's lead time."""
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
    for peak in sorted(peaks, key=lambda p: p.day):
        per_ip = math.ceil(peak.daily / max(ips, 1))
        lead = len(curve(rules.template, max(per_ip, 1)))
        days_left = (peak.day - today).days
        advice.peaks.append(
            PeakAdvice(peak, per_ip, lead, peak.day.fromordinal(peak.day.toordinal() - lead), days_left)
        )
    return advice
