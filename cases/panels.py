"""What cases contribute to the customer dashboard and the staff console (a fixed number of queries each)."""

from datetime import timedelta

from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panel_cache import cacheable, next_midnight
from core.panels import Panel

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


def on_duty(request) -> Panel:
    """Who answers the Severity 1 line now, and who is next (MISSION CR-1)."""
    now = timezone.now()
    shifts = list(
        OnCallShift.objects.upcoming(now).filter(starts_at__lte=now + timedelta(hours=24)).select_related("agent")[:6]
    )
    unmatched = PhoneIntake.objects.unmatched().count()
    # MISSION: CR-1 — the line is staffed 24/7: every period nobody covers in the next 14 days, shown.
    until = now + ROTA_LOOKAHEAD
    gaps = OnCallShift.objects.gaps(now, until)
    return Panel(
        name="on-duty",
        title=_("Severity 1 line: on duty"),
        template="cases/panels/on_duty.html",
        context={"shifts": shifts, "now": now, "unmatched": unmatched, "gaps": gaps, "until": until},
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
