"""What cases contribute to the customer dashboard and the staff console (a fixed number of queries each)."""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panel_cache import MAX_SECONDS, cacheable, next_midnight
from core.panels import Panel

from . import rota
from .badges import badge, badge_changes
from .models import Case, CaseEvent, OnCallShift, PhoneIntake, SlaAlert
from .services.escalation import met_since
from .services.oncall import ROTA_LOOKAHEAD


@cacheable
def open_cases(request, account) -> Panel:
    """MISSION: NC-1, CR-1 — open cases with the clock that applies to each."""
    now = timezone.now()
    qs = Case.objects.filter(account=account).open()
    counts = qs.aggregate(total=Count("id"), critical=Count("id", filter=Q(severity=Case.Severity.CRITICAL)))
    rows = [(case, badge(case, now)) for case in qs.by_next_deadline().select_related("account")[:5]]
    # a clock's badge turns "warn" and "bad" at these moments; "tomorrow 09:00" changes at the viewer's midnight
    moments = [next_midnight(now), *(m for case, _clock in rows for m in badge_changes(case) if m > now)]
    return Panel(
        name="open-cases",
        title=_("Your open cases"),
        template="cases/panels/open_cases.html",
        context={"rows": rows, "counts": counts},
        wide=True,
        refresh_seconds=60,
        changes_at=min(moments),
    )


ON_DUTY_AHEAD = timedelta(hours=24)  # the shifts the on-duty panel lists


@cacheable(topics=("sev1-line",))
def on_duty(request) -> Panel:
    """Who answers the Severity 1 line now, and who is next (MISSION CR-1). Kept until its text can next turn: a
    shift starting or ending (the "now" badge, who is listed, a gap opening or closing), a shift coming within the
    list's 24 hours or the gaps' 14 days, or the viewer's midnight ("tomorrow 09:00"). A shift or a call saved or
    deleted moves the "sev1-line" version: a new unmatched Severity 1 call shows at once (MISSION CR-2)."""
    now = timezone.now()
    shifts = list(
        OnCallShift.objects.upcoming(now).filter(starts_at__lte=now + ON_DUTY_AHEAD).select_related("agent")[:6]
    )
    unmatched = PhoneIntake.objects.unmatched().count()
    # MISSION: CR-1 — the line is staffed 24/7: every period nobody covers in the next 14 days, shown.
    until = now + ROTA_LOOKAHEAD
    # past the window by as long as a panel is kept: a shift entering the window within that time is an edge
    spans = OnCallShift.objects.overlapping(now, until + timedelta(seconds=MAX_SECONDS))
    spans = list(spans.values_list("starts_at", "ends_at", "agent__is_active"))
    gaps = rota.gaps([(start, end) for start, end, active in spans if active and start < until], now, until)
    edges = rota.changes([(start, end) for start, end, _active in spans], now, [ON_DUTY_AHEAD, ROTA_LOOKAHEAD])
    return Panel(
        name="on-duty",
        title=_("Severity 1 line: on duty"),
        template="cases/panels/on_duty.html",
        context={"shifts": shifts, "now": now, "unmatched": unmatched, "gaps": gaps, "until": until},
        changes_at=min([next_midnight(now), *edges]),
    )


@cacheable
def escalations(request) -> Panel:
    """MISSION: TAM-4 — breaches and escalations on the staff member's accounts, the newest first. Kept until a
    shown row turns 7 days old, a deadline passes (the "past a deadline" count) or the viewer's day changes
    (``when``'s "tomorrow 09:00")."""
    now = timezone.now()
    since = now - timedelta(days=7)
    alerts = list(
        SlaAlert.objects.filter(
            level=SlaAlert.Level.BREACH,
            created_at__gte=since,
            case__account__in=Account.objects.staffed_by(request.user),
        )
        .exclude(case__status=Case.Status.RESOLVED)
        .select_related("case__account", "acknowledged_by")
        .order_by("-created_at")[:10]
    )
    rows = [(alert, met_since(alert)) for alert in alerts]
    asked = list(
        CaseEvent.objects.filter(
            kind=CaseEvent.Kind.ESCALATED,
            created_at__gte=since,
            case__account__in=Account.objects.staffed_by(request.user),
        )
        .exclude(case__status=Case.Status.RESOLVED)
        .select_related("case__account", "actor")
        .order_by("-created_at")[:10]
    )
    queue = Case.objects.visible_to(request.user).open()
    counts = queue.aggregate(
        open=Count("id"),
        critical=Count("id", filter=Q(severity=Case.Severity.CRITICAL)),
        breached=Count("id", filter=Q(next_deadline_at__lte=now)),
        next_breach=Min("next_deadline_at", filter=Q(next_deadline_at__gt=now)),
    )
    next_breach = counts.pop("next_breach")
    moments = [next_midnight(now), *(row.created_at + timedelta(days=7) for row in [*alerts, *asked])]
    moments += [next_breach] if next_breach else []
    return Panel(
        name="escalations",
        title=_("Cases: breaches and escalations"),
        template="cases/panels/escalations.html",
        context={"rows": rows, "asked": asked, "counts": counts},
        wide=True,
        changes_at=min(moments),
    )
