"""Where a warm-up plan stands today: each provider's ladder walked through its actuals, the next day's
recommendation with its reason, and the forecast. MISSION: DLV-1."""

import logging
from dataclasses import dataclass, field, replace
from datetime import date

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from deliverability.reputation import signals as reputation

from . import warmup
from .models import WarmupPlan

# Lazy: translated in the reader's language when shown, not once at import (STYLE: no gettext at import time).
DECISIONS = {
    "advance": gettext_lazy("Advance"),
    "hold": gettext_lazy("Hold"),
    "step_back": gettext_lazy("Step back"),
    "rewarm": gettext_lazy("Warm again"),
}
NOT_ADVANCING = ("hold", "step_back", "rewarm")
# Engaged first (warmup.SEGMENTS): who a stage's mail goes to, translated when shown.
SEGMENTS = {
    "engaged_30": gettext_lazy("Most engaged only: opened or clicked in the last 30 days"),
    "engaged_90": gettext_lazy("Add recipients engaged in the last 90 days"),
    "engaged_180": gettext_lazy("Add recipients engaged in the last 180 days, in chunks of 10–25%"),
    "older_chunks": gettext_lazy("Add older, less engaged recipients, in chunks of 10–25%"),
}
log = logging.getLogger(__name__)


@dataclass
class ProviderRow:
    provider: str
    name: str
    share: warmup.Share
    state: warmup.ProviderState

    idle_days: int | None = None

    @property
    def decision(self) -> str:
        if self.state.rewarm:  # never "advance" beside a re-warm flag
            return "rewarm"
        return self.state.last.decision if self.state.last else "advance"

    @property
    def reason(self) -> str:
        if self.state.rewarm:
            return _("Nothing sent for %(n)s days: start again from the first stage.") % {"n": self.idle_days}
        return reason_text(self.state.last.reasons) if self.state.last else _("Not started yet.")


@dataclass
class PlanStatus:
    plan: WarmupPlan
    base: list[int]
    rows: list[ProviderRow]
    forecast: warmup.Forecast
    today: date
    problems: list[str] = field(default_factory=list)  # why the plan cannot be computed (then no rows)
    ignored: int = 0  # actuals dated before the plan or after today: not counted

    @property
    def on_hold(self) -> list[ProviderRow]:
        return [row for row in self.rows if row.decision in NOT_ADVANCING]

    @property
    def history(self) -> list[tuple[str, warmup.Step, str]]:
        """Every day's decision per provider with its reasons, the latest day first: (provider, step, why)."""
        entries = [(row.name, step, reason_text(step.reasons)) for row in self.rows for step in row.state.steps]
        return sorted(entries, key=lambda entry: entry[1].day, reverse=True)

    @property
    def urgency(self) -> int:
        """Where the plan comes on the dashboard: re-warm, then a step back, then a hold (or a plan that cannot
        be computed), then the plans going as planned."""
        if self.problems:
            return 2
        decisions = {row.decision for row in self.rows}
        return next((rank for rank, kind in enumerate(("rewarm", "step_back", "hold")) if kind in decisions), 3)

    @property
    def ips(self) -> int:
        """The IPs the ladder is scaled by (one when the plan's streams have none)."""
        return self.plan.ip_count()

    @property
    def ceiling(self) -> int | None:
        """The top daily volume of the template for the plan's IPs, when the target is above it."""
        top = warmup.pool_ceiling(self.plan.template, self.ips)
        return top if top and self.plan.target_daily > top else None

    @property
    def per_ip_ceiling(self) -> int | None:
        return warmup.ceiling(self.plan.template)

    @property
    def stages(self) -> list[tuple[int, int, int, str]]:
        """The ladder stage by stage: (number, the pool's volume a day, per IP, the recipients it goes to)."""
        ips, target = self.ips, self.plan.target_daily
        return [
            (number, volume, -(-volume // ips), SEGMENTS[warmup.segment(volume, target)])
            for number, volume in enumerate(self.base, start=1)
        ]

    @property
    def gmail_spam_rate_missing(self) -> bool:
        """Gmail sends no complaint per message: without its Postmaster Tools spam rate, complaints go unseen."""
        gmail = [step for row in self.rows if row.provider == "gmail" for step in row.state.steps]
        return bool(gmail) and all(step.spam_rate is None for step in gmail)

    @property
    def finished_on(self) -> date | None:
        """The day the last provider sent its share of the target, once every provider has."""
        days = [row.state.finished_on for row in self.rows]
        return max(days) if days and all(days) else None

    @property
    def days_late(self) -> int:
        if self.problems:
            return 0
        return max(0, (self.forecast.forecast_end - self.forecast.planned_end).days)


def plan_statuses(plans, today: date | None = None) -> list[PlanStatus]:
    """``plan_status`` of each plan, what the mailbox providers' data says read once for all of them (pages and
    panels that show many plans: the plans prefetched ``with_ips()``, their accounts selected)."""
    plans = list(plans)
    signals = reputation.warmup_signals(plans, today)
    return [plan_status(plan, today, signals=signals.get(plan.pk, {})) for plan in plans]


def plan_status(plan: WarmupPlan, today: date | None = None, signals: dict | None = None) -> PlanStatus:
    """``today`` is the account's calendar day unless given: a warm-up day is the customer's day. A plan
    that cannot be computed (a record saved around the checks) answers with its problems, never an error.
    ``signals``: per provider and day, the reasons its own data gives to hold it (``reputation.warmup_signals``:
    Microsoft SNDS, Google Postmaster Tools), read here when not given (``plan_statuses`` reads them once)."""
    today = today or plan.account.today()
    problems = plan.problems()
    if not problems:
        if signals is None:
            signals = reputation.warmup_signals([plan], today).get(plan.pk, {})
        try:
            return _computed(plan, today, signals)
        except (ArithmeticError, ValueError) as error:  # a date past 9999, a curve refused: say so, log it
            log.warning("warm-up plan %s cannot be computed: %r", plan.pk, error)
            problems = [str(_("The plan cannot be computed from its settings."))]
    unknown = warmup.Forecast(planned_end=None, forecast_end=None, progress=0, idle_days=None, rewarm=False)
    return PlanStatus(plan, [], [], unknown, today, problems=problems)


def _computed(plan: WarmupPlan, today: date, signals: dict) -> PlanStatus:
    base = plan.base_curve()
    by_provider: dict[str, list[warmup.Day]] = {}
    ignored = 0
    for actual in plan.actuals.all():
        if not plan.start_date <= actual.day <= today:  # refused at input; typed into the database
            ignored += 1
            continue
        by_provider.setdefault(actual.provider, []).append(actual.as_day())
    _add_signals(by_provider, signals)
    rows = []
    for share in plan.shares():
        actuals = by_provider.get(share.provider, [])
        state = warmup.replay(warmup.ladder(base, share), actuals, plan.start_date, share.provider, cap=share.cap)
        name = str(warmup.PROVIDER_NAMES.get(share.provider, share.provider))
        rows.append(ProviderRow(share.provider, name, share, state))
    result = warmup.forecast([r.state for r in rows], plan.start_date, today)
    for row in rows:
        row.idle_days = result.idle_days
    return PlanStatus(plan, base, rows, result, today, ignored=ignored)


def _add_signals(by_provider: dict[str, list[warmup.Day]], signals: dict) -> None:
    """What a mailbox provider's own data reported (Microsoft SNDS: a RED day, trap hits on the plan's IPs;
    Gmail's Postmaster Tools: a rising spam rate, a LOW/BAD reputation) holds that provider that day: added
    to the day's actuals, or a day of its own when no actuals were recorded for it."""
    for provider, held in signals.items():
        days = {day.day: day for day in by_provider.get(provider, [])}
        for day, reasons in held.items():
            days[day] = replace(days.get(day) or warmup.Day(day, 0), signals=tuple(reasons))
        by_provider[provider] = list(days.values())


def _number(value: int) -> str:
    """A count as the reader writes it: 1,200 in English, 1 200 in Polish."""
    return number_format(value, force_grouping=True)


def reason_text(reasons: list) -> str:
    """The reasons of a decision, in the reader's language."""
    parts = []
    for reason in reasons:
        kind = reason[0]
        if kind == "bounces":
            parts.append(_("hard bounces at %(rate)s%% (the limit is 2%%)") % {"rate": reason[1]})
        elif kind == "complaints":
            parts.append(_("complaints at %(rate)s%% (the limit is 0.1%%)") % {"rate": reason[1]})
        elif kind == "blocks":
            parts.append(_("policy blocks (5.7.x) at %(rate)s%% (the limit is 0.5%%)") % {"rate": reason[1]})
        elif kind == "spam_rate":
            parts.append(
                _("spam rate in Postmaster Tools at %(rate)s%% (hold from 0.10%%, step back from 0.30%%)")
                % {"rate": reason[1]}
            )
        elif kind in reputation.KINDS:  # the mailbox provider's own data (SNDS, Postmaster Tools)
            parts.append(reputation.signal_text(reason))
        elif kind == "rate_limited":
            parts.append(
                ngettext(
                    "%(n)s rate-limit deferral (421/451): the provider is throttling",
                    "%(n)s rate-limit deferrals (421/451): the provider is throttling",
                    reason[1],
                )
                % {"n": _number(reason[1])}
            )
        elif kind == "deferrals":
            parts.append(
                ngettext(
                    "%(n)s deferral (4xx) from this provider", "%(n)s deferrals (4xx) from this provider", reason[1]
                )
                % {"n": _number(reason[1])}
            )
        elif kind == "not_reached":
            parts.append(
                _("only %(sent)s of the %(planned)s planned went out")
                % {"sent": f"{reason[1]:,}", "planned": f"{reason[2]:,}"}
            )
        elif kind == "over_plan":
            parts.append(
                _("%(sent)s sent, more than the %(planned)s planned: hold, and send no more than planned")
                % {"sent": f"{reason[1]:,}", "planned": f"{reason[2]:,}"}
            )
        elif kind == "growth_cap":
            parts.append(_("all clear; at most +%(pct)s%% on the next day") % {"pct": round((reason[1] - 1) * 100)})
    joined = "; ".join(parts)  # the first letter up, names (Postmaster Tools) as they are
    return joined[:1].upper() + joined[1:] + "." if parts else ""
