"""Where a warm-up plan stands today: each provider's ladder walked through its actuals, the next day's
recommendation with its reason, and the forecast. MISSION: DLV-1."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import warmup
from .models import WarmupPlan

# Lazy: translated in the reader's language when shown, not once at import (STYLE: no gettext at import time).
DECISIONS = {"advance": gettext_lazy("Advance"), "hold": gettext_lazy("Hold"), "step_back": gettext_lazy("Step back")}


@dataclass
class ProviderRow:
    provider: str
    name: str
    share: warmup.Share
    state: warmup.ProviderState

    @property
    def decision(self) -> str:
        return self.state.last.decision if self.state.last else "advance"

    @property
    def reason(self) -> str:
        return reason_text(self.state.last.reasons) if self.state.last else _("Not started yet.")


@dataclass
class PlanStatus:
    plan: WarmupPlan
    base: list[int]
    rows: list[ProviderRow]
    forecast: warmup.Forecast
    today: date

    @property
    def on_hold(self) -> list[ProviderRow]:
        return [row for row in self.rows if row.decision in ("hold", "step_back")]

    @property
    def finished_on(self) -> date | None:
        """The day the last provider sent its share of the target, once every provider has."""
        days = [row.state.finished_on for row in self.rows]
        return max(days) if days and all(days) else None

    @property
    def days_late(self) -> int:
        return max(0, (self.forecast.forecast_end - self.forecast.planned_end).days)


def plan_status(plan: WarmupPlan, today: date | None = None) -> PlanStatus:
    """``today`` is the account's calendar day unless given: a warm-up day is the customer's day."""
    today = today or plan.account.today()
    base = plan.base_curve()
    by_provider: dict[str, list[warmup.Day]] = {}
    for actual in plan.actuals.all():
        by_provider.setdefault(actual.provider, []).append(actual.as_day())
    rows = []
    for share in plan.shares():
        state = warmup.replay(
            warmup.ladder(base, share), by_provider.get(share.provider, []), plan.start_date, share.provider
        )
        rows.append(
            ProviderRow(share.provider, str(warmup.PROVIDER_NAMES.get(share.provider, share.provider)), share, state)
        )
    return PlanStatus(plan, base, rows, warmup.forecast([r.state for r in rows], plan.start_date, today), today)


def reason_text(reasons: list) -> str:
    """The reasons of a decision, in the reader's language."""
    parts = []
    for reason in reasons:
        kind = reason[0]
        if kind == "bounces":
            parts.append(_("bounces at %(rate)s%% (the limit is 2%%)") % {"rate": reason[1]})
        elif kind == "complaints":
            parts.append(_("complaints at %(rate)s%% (the limit is 0.1%%)") % {"rate": reason[1]})
        elif kind == "deferrals":
            parts.append(_("%(n)s deferrals (4xx) from this provider") % {"n": f"{reason[1]:,}"})
        elif kind == "not_reached":
            parts.append(
                _("only %(sent)s of the %(planned)s planned went out")
                % {"sent": f"{reason[1]:,}", "planned": f"{reason[2]:,}"}
            )
        elif kind == "growth_cap":
            parts.append(_("all clear; at most +%(pct)s%% on the next day") % {"pct": round((reason[1] - 1) * 100)})
    return "; ".join(parts).capitalize() + "." if parts else ""
