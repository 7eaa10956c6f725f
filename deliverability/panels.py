"""What blocklist monitoring contributes to the dashboard and the staff console (fixed query counts)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.panel_cache import cacheable, next_midnight, next_minute_of
from core.panels import Panel

from .authentication.status import SEVERITY
from .models import AuthFinding, AuthRun, Blocklist, DmarcReport, ListingStatus, MonitoredTarget, Sweep


@cacheable
def blocklists(request, account) -> Panel:
    """MISSION: DLV-2 — "N listings on key lists" or "clean on all N lists, checked 12 minutes ago"."""
    listed = ListingStatus.objects.of(account).listed()
    counts = listed.summary()
    last = Sweep.objects.last_finished(account)
    lists = Blocklist.objects.active().count()
    return Panel(
        name="blocklists",
        title=_("Blocklists"),
        template="deliverability/panels/blocklists.html",
        context={
            "counts": counts,
            "worst": list(listed.select_related("target", "blocklist").most_important_first()[:3]),
            "lists": lists,
            "targets": MonitoredTarget.objects.filter(account=account).count(),
            "last": last,
            # lists that answered in the last run: only those may be called clean
            "checked": max(0, lists - len(last.failed_zones)) if last else 0,
        },
        refresh_seconds=300,
        changes_at=next_minute_of(last.finished_at) if last else None,  # "checked 12 minutes ago"
    )


@cacheable
def authentication(request, account) -> Panel:
    """MISSION: DLV-1 — sender authentication at a glance: failing and warning checks of the last run."""
    run = AuthRun.objects.last_finished(account)
    return Panel(
        name="authentication",
        title=_("Sender authentication"),
        template="deliverability/panels/authentication.html",
        context={
            "run": run,
            "counts": run.findings.status_counts() if run else {},
            "worst": list(run.findings.not_passing().worst_first()[:3]) if run else [],
        },
        refresh_seconds=300,
        changes_at=next_minute_of(run.finished_at) if run else None,  # "checked 12 minutes ago"
    )


def authentication_now(account) -> dict:
    """Public read for other apps (planning's migration milestones): the worst status of each check kind in the
    account's last finished authentication run ("spf", "dkim", "dmarc", "fcrdns", ...: ``AuthFinding.Kind``),
    with when it ran under ``"checked_at"``; empty when never checked. Two queries. MISSION: DLV-1, TAM-3."""
    run = AuthRun.objects.last_finished(account)
    if run is None:
        return {}
    worst: dict = {"checked_at": run.finished_at or run.created_at}
    for kind, status in AuthFinding.objects.filter(run=run).values_list("kind", "status"):
        if kind not in worst or SEVERITY[status] > SEVERITY[worst[kind]]:
            worst[kind] = status
    return worst


@cacheable
def listings(request) -> Panel:
    """Current listings across the staff member's accounts, most important first. Kept until the viewer's day
    changes ("since" says "09:00" today, a weekday later)."""
    qs = ListingStatus.objects.current_for(request.user)
    return Panel(
        name="listings",
        title=_("Blocklist listings"),
        template="deliverability/panels/listings.html",
        context={"rows": list(qs[:8]), "total": qs.count()},
        wide=True,
        changes_at=next_midnight(timezone.now()),
    )


@cacheable
def dmarc_reports(request) -> Panel:
    """Issue 19: the latest DMARC report files across the staff member's accounts, refused ones first (each
    links to its account's refused reports, where staff count it again). Two queries. Kept until the viewer's
    day changes (when each arrived)."""
    qs = DmarcReport.objects.refused_first_for(request.user)
    return Panel(
        name="dmarc-reports",
        title=_("DMARC reports"),
        template="deliverability/panels/dmarc_reports.html",
        context={"rows": list(qs[:8]), "refused": qs.refused().count()},
        wide=True,
        changes_at=next_midnight(timezone.now()),
    )
