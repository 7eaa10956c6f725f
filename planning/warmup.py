"""IP warm-up without the ORM: templates, the planned volume per mailbox provider, recommendations from
what actually happened, and the forecast. MISSION: DLV-1, TAM-5.

Facts (shared/facts/deliverability.md): SparkPost's 20 stages; SendGrid's 41-day hourly ramp (about
x1.4 a day); Amazon SES's 45 days up to 50,000 a day; hold when bounces > 2% or complaints > 0.1% that
day; at most +50% a day (+20% in the first days); deferrals (4xx) from a provider mean hold that
provider (more than 1% of its mail, or any 421/451 rate limit: a few other 4xx a day are routine);
policy blocks (5.7.x) are told apart from hard bounces: they speak of reputation, so more than 0.5%
holds and more than 2% steps back; an IP idle for more than 30 days must be warmed again; AOL/Yahoo and
Outlook capped new senders in week one (a provider's cap holds for the first ``CAP_DAYS`` days only, so
the target stays reachable).

Per IP, not per pool: the providers' schedules (SparkPost's stages, SendGrid's ramp, SES's 50,000 a day,
Mailgun's stages) limit each IP. A plan warming ``n`` IPs sends ``n`` times a stage's volume in a day, so
the ladder is the per-IP curve (to the target divided by ``n``) times ``n`` (``pool_curve``), and the top a
plan can reach is the template's ceiling times ``n``. Mailgun's automatic warm-up has 15 stages, each with
its limit, scaled to the volume the sender expects (its API's ``start_volume``/``stage_limit``): here 15
stages growing by one factor from ``MAILGUN_FIRST`` to the target per IP.

Gmail sends no complaint report per message (no feedback loop for each complaint, unlike Yahoo's and
Microsoft's): its signal is the spam rate Postmaster Tools shows per day. When a day's spam rate is known
it is an input: at 0.10% or more hold, at 0.30% or more step back (Gmail's sender requirements).

Engaged first: each stage says which recipients it goes to (``segment``): the most engaged (active in the
last 30 days) on the first stages, then 90 days, then 180 days, then older recipients in 10–25% chunks.

A hold means hold: the day after a held day sends no more than the held day did (nor more than its plan).
A day that sent more than planned is flagged (``over_plan``) and held: the stage is not skipped, and the
next day grows from the plan, never above what really went out.

A provider's plan is a *ladder* of stages (the template's curve times its share of the traffic).
Each day the provider either climbs (the volume grows by at most the daily cap), holds (the same
volume again) or steps back a stage, according to that day's actuals. The volume grows toward the
stage by the cap; the provider moves up to the next stage only on a clean day whose volume actually
reached the stage (90% of it; the last stage, the target itself, in full). So a 1,000,000-a-day plan
whose early days are held to +20% by the cap takes the days the cap needs, and it is finished only
on the day the target volume is sent. The forecast completion date is the last day with actuals plus
the days the caps need from there, so every hold pushes it out; progress is the share of the
no-holds plan's days already behind the slowest provider.
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
MAILGUN_STAGES, MAILGUN_FIRST = 15, 200

BOUNCE_LIMIT = 0.02
COMPLAINT_LIMIT = 0.001
DEFERRAL_HOLD = 0.01  # more than 1% deferred (4xx) holds; fewer are routine (any 421/451 rate limit holds)
DEFERRAL_STEP_BACK = 0.10  # a tenth of a provider's mail deferred: step back, not just hold
BLOCK_HOLD, BLOCK_STEP_BACK = 0.005, 0.02  # policy blocks (5.7.x): the provider refuses on reputation
SPAM_RATE_HOLD, SPAM_RATE_STEP_BACK = 0.10, 0.30  # Postmaster Tools spam rate, in percent: below 0.10%, never 0.30%
REACHED = 0.9  # a day counts as done when at least 90% of its planned volume went out
MAX_GROWTH, EARLY_GROWTH, EARLY_DAYS = 1.5, 1.2, 3
IDLE_DAYS = 30
CAP_DAYS = 7  # a provider's own cap (Yahoo 5,000, Outlook 20,000 a day) applies in week one only
MAX_DAYS = 3_660  # a ramp longer than ten years is not a warm-up; stop counting

# The most a template's ramp reaches in a day (per IP); a target above it is never reached.
CEILINGS = {"sparkpost": SPARKPOST_STAGES[-1], "sendgrid": SENDGRID_HOURLY[-1] * 24, "ses": SES_CAP}

TEMPLATES = {
    "sparkpost": _("SparkPost: 20 volume stages (200 … 320M a day)"),
    "sendgrid": _("SendGrid: 41-day hourly ramp (about ×1.4 a day)"),
    "ses": _("Amazon SES: 45 days up to 50,000 a day"),
    "mailgun": _("Mailgun: 15 stages scaled to the expected volume"),
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
    elif template == "mailgun":
        first = min(MAILGUN_FIRST, target)
        ratio = (target / first) ** (1 / (MAILGUN_STAGES - 1)) if target > first else 1
        raw = [round(first * ratio**stage) for stage in range(MAILGUN_STAGES - 1)] + [target]
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


def pool_curve(template: str, target: int, ips: int = 1, *, start: int = 500, growth: float = 1.4) -> list[int]:
    """The daily volumes of a pool of ``ips`` IPs: the per-IP curve (to the target shared among the IPs)
    times the number of IPs, never above the target. One IP (or none known) is the curve itself."""
    ips = max(1, ips)
    per_ip = curve(template, max(1, math.ceil(target / ips)), start=start, growth=growth)
    return [min(volume * ips, target) for volume in per_ip]


def pool_ceiling(template: str, ips: int = 1) -> int | None:
    """The most a pool of ``ips`` IPs reaches in a day on a template, or None (it grows to its target)."""
    top = ceiling(template)
    return top * max(1, ips) if top else None


# Engaged first (facts: most engaged recipients first; older, less engaged segments in 10-25% chunks).
# (share of the target volume up to which a segment is enough, its message id)
SEGMENTS = ((0.10, "engaged_30"), (0.40, "engaged_90"), (0.75, "engaged_180"), (1.0, "older_chunks"))


def segment(volume: int, target: int) -> str:
    """Which recipients a stage's volume goes to: the most engaged first, older ones only near the target."""
    share = volume / target if target > 0 else 1
    return next(name for limit, name in SEGMENTS if share <= limit or limit == 1.0)


@dataclass(frozen=True)
class Share:
    provider: str
    percent: float  # of the total traffic
    cap: int | None = None  # a provider's own daily cap in week one (e.g. Yahoo 5,000): see CAP_DAYS


def ladder(base: list[int], share: Share) -> list[int]:
    """One provider's rungs: its share of each day's volume (its week-one cap applies per day, in replay)."""
    return [max(1, round(volume * share.percent / 100)) for volume in base]


def ceiling(template: str) -> int | None:
    """The most a template's ramp reaches in a day, or None (a custom ramp grows to its target)."""
    return CEILINGS.get(template)


@dataclass(frozen=True)
class Day:
    """One provider's actuals for one day."""

    day: date
    sent: int
    delivered: int = 0
    bounced: int = 0
    complaints: int = 0
    deferrals: int = 0  # every 4xx deferral
    rate_limited: int = 0  # of which 421/451 rate limits ("temporarily deferred", "try again later")
    blocked: int = 0  # policy blocks (5.7.x), apart from hard bounces (5.1.x, unknown users) in ``bounced``
    spam_rate: float | None = None  # percent, from Postmaster Tools (Gmail has no per-message complaints)
    signals: tuple = ()  # reasons to hold from the provider's own data (Microsoft SNDS: a RED day, trap hits)


@dataclass
class Step:
    day: date
    planned: int
    sent: int
    decision: str  # advance / hold / step_back (rewarm: the whole ladder again, set on the state)
    reasons: list = field(default_factory=list)
    spam_rate: float | None = None  # the day's Postmaster Tools spam rate, when known


@dataclass
class ProviderState:
    provider: str
    rungs: list[int]
    position: int = 0  # the stage being climbed
    steps: list[Step] = field(default_factory=list)
    next_volume: int = 0
    finished: bool = False  # the target volume was sent on a clean day, and no step back since
    finished_on: date | None = None  # that day
    remaining: int = 0  # days still to send with no holds, at the daily caps
    ideal: list[int] = field(default_factory=list)  # the plan with no holds: each day's volume, at the caps
    cap: int | None = None  # the provider's week-one cap
    rewarm: bool = False  # idle too long: the ladder starts again from its first rung

    @property
    def holds(self) -> int:
        """Days that did not advance (held or stepped back)."""
        return sum(1 for step in self.steps if step.decision != "advance")

    @property
    def last(self) -> Step | None:
        return self.steps[-1] if self.steps else None


def decide(planned: int, actual: Day, *, day_number: int, final: bool = False) -> tuple[str, list]:
    """Advance, hold or step back after one day, with the reasons (message, figures). On the ``final``
    day (the target itself planned) the whole volume must go out; on others, 90% of it."""
    reasons = []
    sent = max(actual.sent, 0)
    bounce = actual.bounced / sent if sent else 0.0
    complaint = actual.complaints / sent if sent else 0.0
    deferral = actual.deferrals / sent if sent else 0.0
    blocked = actual.blocked / sent if sent else 0.0
    if bounce > BOUNCE_LIMIT:
        reasons.append(("bounces", round(bounce * 100, 2)))
    if blocked > BLOCK_HOLD:
        reasons.append(("blocks", round(blocked * 100, 2)))
    if complaint > COMPLAINT_LIMIT:
        reasons.append(("complaints", round(complaint * 100, 3)))
    spam = actual.spam_rate
    if spam is not None and spam >= SPAM_RATE_HOLD:
        reasons.append(("spam_rate", round(spam, 2)))
    reasons.extend(actual.signals)  # what the provider itself reported about the IPs (SNDS): hold
    if actual.rate_limited > 0:  # the provider throttles this IP (421/451): hold it, however few
        reasons.append(("rate_limited", actual.rate_limited))
    elif deferral > DEFERRAL_HOLD:  # a few other 4xx a day are routine
        reasons.append(("deferrals", actual.deferrals))
    if sent > planned:  # over the plan (and so over the growth cap): flagged, never "all clear"
        reasons.append(("over_plan", sent, planned))
    if (
        deferral > DEFERRAL_STEP_BACK
        or blocked > BLOCK_STEP_BACK
        or (bounce > BOUNCE_LIMIT and complaint > COMPLAINT_LIMIT)
        or (spam is not None and spam >= SPAM_RATE_STEP_BACK)
    ):
        return "step_back", reasons
    if reasons:
        return "hold", reasons
    if sent < (planned if final else planned * REACHED):
        return "hold", [("not_reached", sent, planned)]
    # the cap the *next* day gets (replay applies day n+1's cap to the volume after this day)
    return "advance", [("growth_cap", EARLY_GROWTH if day_number + 1 < EARLY_DAYS else MAX_GROWTH)]


def reached(sent: int, rungs: list[int], position: int) -> bool:
    """Did a day's volume reach its stage? 90% of it, or all of the last one (the target)."""
    rung = rungs[position]
    return sent >= (rung if position == len(rungs) - 1 else rung * REACHED)


def replay(
    rungs: list[int], actuals: list[Day], start: date, provider: str = "", *, cap: int | None = None
) -> ProviderState:
    """Walk a provider's ladder through its actual days, in date order. ``cap``: the week-one cap."""
    first = _capped(rungs[0], None, 0, cap)
    state = ProviderState(provider=provider, rungs=rungs, next_volume=first, ideal=climb(rungs, cap=cap), cap=cap)
    top = len(rungs) - 1
    for actual in sorted(actuals, key=lambda a: a.day):
        number, planned = (actual.day - start).days, state.next_volume
        final = state.position == top and planned >= rungs[top]
        decision, reasons = decide(planned, actual, day_number=number, final=final)
        sent = max(actual.sent, 0)
        clean_over = decision == "hold" and [r[0] for r in reasons] == ["over_plan"]
        if decision == "advance" or clean_over:
            if reached(sent, rungs, state.position):
                if state.position == top and not state.finished:
                    state.finished, state.finished_on = True, actual.day
                state.position = min(state.position + 1, top)  # one stage at most: never skip ahead
            # over the plan: grow from the plan, not from the extra, and never above what went out
            base = planned if clean_over else sent
            state.next_volume = _capped(rungs[state.position], base, number + 1, cap)
            if clean_over:
                state.next_volume = min(state.next_volume, sent)
        elif decision == "step_back":
            state.position, state.finished, state.finished_on = max(state.position - 1, 0), False, None
            state.next_volume = min(_capped(rungs[state.position], None, number + 1, cap), planned, sent or planned)
        elif sent > 0:  # a hold means hold: never more than the held day sent, nor more than its plan
            state.next_volume = min(planned, sent)
        state.steps.append(Step(actual.day, planned, actual.sent, decision, reasons, actual.spam_rate))
    next_number = (state.steps[-1].day - start).days + 1 if state.steps else 0
    if not state.finished:
        state.remaining = len(
            climb(rungs, position=state.position, volume=state.next_volume, day_number=next_number, cap=cap)
        )
    return state


def rewarm(state: ProviderState) -> None:
    """An IP idle for more than IDLE_DAYS: the ladder again from its first rung (never "advance")."""
    state.rewarm, state.position, state.finished, state.finished_on = True, 0, False, None
    state.next_volume = _capped(state.rungs[0], None, 0, state.cap)
    state.remaining = len(state.ideal)


def climb(
    rungs: list[int],
    *,
    position: int = 0,
    volume: int | None = None,
    day_number: int = 0,
    cap: int | None = None,
) -> list[int]:
    """The daily volumes from a stage and a volume to the end, every day clean and sent as planned: the
    plan with no holds (from the start), or the days still needed (from where a provider stands)."""
    volume = _capped(rungs[position], None, day_number, cap) if volume is None else volume
    days = []
    while len(days) < MAX_DAYS:
        days.append(volume)
        if reached(volume, rungs, position):
            if position == len(rungs) - 1:
                break
            position += 1
        day_number += 1
        volume = _capped(rungs[position], volume, day_number, cap)
    return days


def _capped(rung: int, previous_sent: int | None, day_number: int, cap: int | None = None) -> int:
    """No day more than +50% over what was sent the day before (+20% in the first days); a handful of
    messages may always grow by one. In week one a provider's own cap applies too."""
    if previous_sent is None or previous_sent <= 0:
        volume = rung
    else:
        growth = EARLY_GROWTH if day_number < EARLY_DAYS else MAX_GROWTH
        volume = min(rung, max(previous_sent + 1, math.floor(previous_sent * growth)))
    return min(volume, cap) if cap and day_number < CAP_DAYS else volume


@dataclass
class Forecast:
    planned_end: date
    forecast_end: date
    progress: int  # percent of the no-holds plan's days behind the slowest provider; 100 only when finished
    idle_days: int | None  # days since anything was sent; None before the first send
    rewarm: bool


def forecast(states: list[ProviderState], start: date, today: date) -> Forecast:
    """The planned end (no holds, at the caps), the forecast end (the last day with actuals plus the days
    the slowest provider still needs), progress, and whether the IPs sat idle long enough to need
    re-warming; if they did, every provider starts its ladder again (``rewarm``): never "advance" then."""
    length = max((len(state.ideal) for state in states), default=1)
    planned_end = start + timedelta(days=length - 1)
    days = [step.day for state in states for step in state.steps]
    sent_days = [step.day for state in states for step in state.steps if step.sent > 0]
    idle = (today - max(sent_days)).days if sent_days else None
    if idle is not None and idle > IDLE_DAYS:
        for state in states:
            rewarm(state)
    remaining = max((state.remaining for state in states), default=0)
    if days and remaining:
        # a ramp that stopped is counted from today, never in the past
        forecast_end = max(max(days), today - timedelta(days=1)) + timedelta(days=remaining)
    elif days:
        forecast_end = max(days)
    else:
        forecast_end = max(start, today) + timedelta(days=length - 1)
    return Forecast(
        planned_end=planned_end,
        forecast_end=forecast_end,
        progress=min((_progress(state) for state in states), default=0),
        idle_days=idle,
        rewarm=idle is not None and idle > IDLE_DAYS,
    )


def _progress(state: ProviderState) -> int:
    """The share of the no-holds plan's days behind a provider: 100 only when it is finished."""
    if state.finished:
        return 100
    if not state.steps:
        return 0
    done = 1 - state.remaining / len(state.ideal)
    return max(0, min(99, round(100 * done)))
