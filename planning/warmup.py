"""IP warm-up without the ORM: templates, the planned volume per mailbox provider, recommendations from
what actually happened, and the forecast. MISSION: DLV-1, TAM-5.

Facts (shared/facts/deliverability.md): SparkPost's 20 stages; SendGrid's 41-day hourly ramp (about
x1.4 a day); Amazon SES's 45 days up to 50,000 a day; hold when bounces > 2% or complaints > 0.1% that
day; at most +50% a day (+20% in the first days); deferrals (4xx) from a provider mean hold that
provider; an IP idle for more than 30 days must be warmed again.

A provider's plan is a *ladder* of daily volumes (the template's curve times its share of the traffic,
capped). Each day the provider's position on the ladder moves up (advance), stays (hold) or moves down
(step back) according to that day's actuals; the forecast completion date is the last day with actuals
plus the rungs still to climb, so every hold pushes it out.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

PROVIDERS = ("gmail", "microsoft", "yahoo", "apple", "other")
PROVIDER_NAMES = {
    "gmail": "Gmail",
    "microsoft": "Microsoft",
    "yahoo": "Yahoo / AOL",
    "apple": "Apple",
    "other": _("Other"),
}
SPARKPOST_STAGES = [
    200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 40_000, 100_000, 250_000, 500_000, 1_000_000,
    2_000_000, 5_000_000, 10_000_000, 20_000_000, 40_000_000, 80_000_000, 160_000_000, 320_000_000,
]  # fmt: skip
SENDGRID_HOURLY = [
    20, 28, 39, 55, 77, 108, 151, 211, 295, 413, 579, 810, 1_000, 1_587, 2_222, 3_111, 4_356, 6_098, 8_583,
    11_953, 16_734, 23_427, 32_798, 45_917, 64_284, 89_998, 125_997, 176_395, 246_953, 345_735, 484_029,
    677_640, 948_696, 1_328_175, 1_859_444, 2_603_222, 3_644_511, 5_102_316, 7_143_242, 10_000_539,
    14_000_754, 19_601_056,
]  # fmt: skip
SES_DAYS, SES_CAP, SES_FIRST_DAY = 45, 50_000, 500

BOUNCE_LIMIT = 0.02
COMPLAINT_LIMIT = 0.001
DEFERRAL_STEP_BACK = 0.10  # a tenth of a provider's mail deferred: step back, not just hold
REACHED = 0.9  # a day counts as done when at least 90% of its planned volume went out
MAX_GROWTH, EARLY_GROWTH, EARLY_DAYS = 1.5, 1.2, 3
IDLE_DAYS = 30

TEMPLATES = {
    "sparkpost": _("SparkPost: 20 volume stages (200 … 320M a day)"),
    "sendgrid": _("SendGrid: 41-day hourly ramp (about ×1.4 a day)"),
    "ses": _("Amazon SES: 45 days up to 50,000 a day"),
    "custom": _("Custom: a start volume and a daily growth factor"),
}


def curve(template: str, target: int, *, start: int = 500, growth: float = 1.4) -> list[int]:
    """The daily volumes of a template, ending at the first day that reaches ``target``."""
    if target <= 0:
        raise ValueError("target must be positive")
    if template == "sparkpost":
        raw = SPARKPOST_STAGES
    elif template == "sendgrid":
        raw = [hourly * 24 for hourly in SENDGRID_HOURLY]
    elif template == "ses":
        top = min(target, SES_CAP)
        ratio = (top / SES_FIRST_DAY) ** (1 / (SES_DAYS - 1)) if top > SES_FIRST_DAY else 1
        raw = [round(SES_FIRST_DAY * ratio**day) for day in range(SES_DAYS)]
    elif template == "custom":
        if start <= 0 or growth <= 1:
            raise ValueError("a custom ramp needs a positive start and a growth factor above 1")
        steps = max(1, math.ceil(math.log(max(target, start) / start, growth)) + 1)
        raw = [round(start * growth**day) for day in range(steps)]
    else:
        raise ValueError(f"unknown template {template!r}")
    out = []
    for volume in raw:
        out.append(min(volume, target))
        if volume >= target:
            break
    return out


@dataclass(frozen=True)
class Share:
    provider: str
    percent: float  # of the total traffic
    cap: int | None = None  # a provider's own daily cap (e.g. Yahoo 5,000 in week one)


def ladder(base: list[int], share: Share) -> list[int]:
    """One provider's rungs: its share of each day's volume, under its cap."""
    rungs = [max(1, round(volume * share.percent / 100)) for volume in base]
    return [min(r, share.cap) if share.cap else r for r in rungs]


@dataclass(frozen=True)
class Day:
    """One provider's actuals for one day."""

    day: date
    sent: int
    delivered: int = 0
    bounced: int = 0
    complaints: int = 0
    deferrals: int = 0


@dataclass
class Step:
    day: date
    planned: int
    sent: int
    decision: str  # advance / hold / step_back
    reasons: list = field(default_factory=list)


@dataclass
class ProviderState:
    provider: str
    rungs: list[int]
    position: int = 0
    steps: list[Step] = field(default_factory=list)
    next_volume: int = 0
    finished: bool = False  # the top rung was sent and the day was clean

    @property
    def holds(self) -> int:
        """Days that did not advance (held or stepped back)."""
        return sum(1 for step in self.steps if step.decision != "advance")

    @property
    def remaining(self) -> int:
        """Days still to send: the rung at ``position`` tomorrow, and each rung above it a day later."""
        return 0 if self.finished else len(self.rungs) - self.position

    @property
    def last(self) -> Step | None:
        return self.steps[-1] if self.steps else None


def decide(planned: int, actual: Day, *, day_number: int) -> tuple[str, list]:
    """Advance, hold or step back after one day, with the reasons (message, figures)."""
    reasons = []
    sent = max(actual.sent, 0)
    bounce = actual.bounced / sent if sent else 0.0
    complaint = actual.complaints / sent if sent else 0.0
    deferral = actual.deferrals / sent if sent else 0.0
    if bounce > BOUNCE_LIMIT:
        reasons.append(("bounces", round(bounce * 100, 2)))
    if complaint > COMPLAINT_LIMIT:
        reasons.append(("complaints", round(complaint * 100, 3)))
    if actual.deferrals > 0:
        reasons.append(("deferrals", actual.deferrals))
    if deferral > DEFERRAL_STEP_BACK or (bounce > BOUNCE_LIMIT and complaint > COMPLAINT_LIMIT):
        return "step_back", reasons
    if reasons:
        return "hold", reasons
    if sent < planned * REACHED:
        return "hold", [("not_reached", sent, planned)]
    # the cap the *next* day gets (replay applies day n+1's cap to the volume after this day)
    return "advance", [("growth_cap", EARLY_GROWTH if day_number + 1 < EARLY_DAYS else MAX_GROWTH)]


def replay(rungs: list[int], actuals: list[Day], start: date, provider: str = "") -> ProviderState:
    """Walk a provider's ladder through its actual days, in date order."""
    state = ProviderState(provider=provider, rungs=rungs)
    previous_sent = None
    for actual in sorted(actuals, key=lambda a: a.day):
        planned = _capped(rungs[state.position], previous_sent, (actual.day - start).days)
        decision, reasons = decide(planned, actual, day_number=(actual.day - start).days)
        if decision == "advance":
            state.finished = state.position == len(rungs) - 1
            state.position = min(state.position + 1, len(rungs) - 1)
        elif decision == "step_back":
            state.position = max(state.position - 1, 0)
            state.finished = False
        else:
            state.finished = False
        state.steps.append(Step(actual.day, planned, actual.sent, decision, reasons))
        previous_sent = actual.sent
    last_day = state.steps[-1].day if state.steps else start - timedelta(days=1)
    state.next_volume = _capped(rungs[state.position], previous_sent, (last_day - start).days + 1)
    return state


def _capped(rung: int, previous_sent: int | None, day_number: int) -> int:
    """No day more than +50% over what was sent the day before (+20% in the first days)."""
    if previous_sent is None or previous_sent <= 0:
        return rung
    growth = EARLY_GROWTH if day_number < EARLY_DAYS else MAX_GROWTH
    return min(rung, max(1, math.floor(previous_sent * growth)))


@dataclass
class Forecast:
    planned_end: date
    forecast_end: date
    progress: int  # percent of the rungs climbed, the slowest provider counting
    idle_days: int | None  # days since anything was sent; None before the first send
    rewarm: bool


def forecast(states: list[ProviderState], start: date, today: date, base_length: int) -> Forecast:
    """The planned end (no holds), the forecast end (the last day with actuals plus the rungs the slowest
    provider still has to climb), progress, and whether the IPs sat idle long enough to need re-warming."""
    planned_end = start + timedelta(days=base_length - 1)
    days = [step.day for state in states for step in state.steps]
    sent_days = [step.day for state in states for step in state.steps if step.sent > 0]
    remaining = max((state.remaining for state in states), default=0)
    if days and remaining:
        # a hold adds a day, a step back two; a ramp that stopped is counted from today, never in the past
        forecast_end = max(max(days), today - timedelta(days=1)) + timedelta(days=remaining)
    elif days:
        forecast_end = max(days)
    else:
        forecast_end = max(start, today) + timedelta(days=base_length - 1)
    climbed = [
        1.0 if state.finished else state.position / (len(state.rungs) - 1) if len(state.rungs) > 1 else 0.0
        for state in states
    ]
    idle = (today - max(sent_days)).days if sent_days else None
    return Forecast(
        planned_end=planned_end,
        forecast_end=forecast_end,
        progress=round(100 * min(climbed)) if climbed else 0,
        idle_days=idle,
        rewarm=idle is not None and idle > IDLE_DAYS,
    )
