"""The dashboard's planning panel: warm-up progress and the next milestone (MISSION: DLV-1, TAM-3, TAM-5)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.panel_cache import cacheable, next_midnight
from core.panels import Panel

from .migration_pages import dated_now
from .models import FeatureRequest, MigrationPlan, Milestone, WarmupPlan
from .review_due import reviews_due
from .status import plan_statuses

SHOWN = 3  # plans on the panel; the rest are counted ("and N more")
CONSIDERED = 100  # running plans ranked (a fixed number of queries: plans, actuals, streams, IPs)
SHOWN_IN_CONSOLE = 20  # rows of each kind on the console's planning panel


@cacheable
def warmup(request, account) -> Panel | None:
    """The running plans that need attention first (re-warm, step back, hold, cannot be computed), then the
    others; at most ``SHOWN`` of them, with how many more there are. MISSION: DLV-1."""
    plans = WarmupPlan.objects.active_for(account).prefetch_related("actuals")[:CONSIDERED]
    statuses = sorted(plan_statuses(plans), key=lambda status: status.urgency)
    # the soonest as dated now: a late warm-up moves the cut-over and what follows it (as the plan's page says)
    candidates = Milestone.objects.filter(plan__account=account).open_ones().with_timeline().order_by("due_on")
    milestone, milestone_due = next(iter(dated_now(candidates[:CONSIDERED])), (None, None))
    unwarmed = MigrationPlan.objects.filter(account=account).unwarmed().order_by("start_date").first()
    if not statuses and milestone is None and unwarmed is None:
        return None
    return Panel(
        name="warmup",
        title=_("IP warm-up and migration"),
        template="planning/panel.html",
        context={
            "statuses": statuses[:SHOWN],
            "more": max(0, len(statuses) - SHOWN),
            "list_url": reverse("warmup-list", kwargs={"slug": account.slug}),
            "milestone": milestone,
            "milestone_due": milestone_due,
            "unwarmed": unwarmed,  # MISSION: TAM-3, DLV-1
        },
        changes_at=next_midnight(timezone.now(), account.tz),  # a warm-up day is the account's day
    )


DUE_WITHIN = timedelta(days=7)  # the console's milestones: overdue or due within a week


@cacheable
def planning(request) -> Panel | None:
    """The staff console's planning work on the accounts this person reaches: warm-up plans on hold (or stepping
    back, re-warming, not computable), migration milestones due within a week, new feature requests, business
    reviews due within REVIEW_REMIND_DAYS or overdue. A fixed
    number of queries whatever the number of accounts. MISSION: TAM-3, TAM-5, DLV-1.

    Kept until the next midnight of the viewer or of any of these accounts (a warm-up day and a review's due
    date are the account's, "Overdue" and "within 7 days" the viewer's)."""
    user = request.user
    reached = Account.objects.visible_to(user)
    plans = (
        WarmupPlan.objects.visible_to(user)
        .filter(status=WarmupPlan.Status.ACTIVE)
        .select_related("account")
        .with_ips()
        .prefetch_related("actuals")[:CONSIDERED]
    )
    held = [s for s in sorted(plan_statuses(plans), key=lambda s: s.urgency) if s.urgency < 3]
    # stored dates only ever move later: those stored within the week are the candidates, dated as the plans' pages
    window = timezone.localdate() + DUE_WITHIN
    stored = Milestone.objects.visible_to(user).open_ones().filter(due_on__lte=window).with_timeline()
    milestones = [(m, due) for m, due in dated_now(stored.order_by("due_on")[:CONSIDERED]) if due <= window]
    requests = list(
        FeatureRequest.objects.visible_to(user)
        .filter(status=FeatureRequest.Status.NEW)
        .select_related("account")
        .order_by("created_at")[:SHOWN_IN_CONSOLE]
    )
    return Panel(
        name="planning",
        title=_("Planning"),
        template="planning/console_panel.html",
        context={
            "held": held[:SHOWN_IN_CONSOLE],
            "milestones": milestones[:SHOWN_IN_CONSOLE],
            "requests": requests,
            "reviews": reviews_due(reached)[:SHOWN_IN_CONSOLE],  # MISSION: TAM-5
            "today": timezone.localdate(),
        },
        changes_at=_next_midnight_anywhere(reached),
    )


def _next_midnight_anywhere(accounts) -> datetime:
    """The soonest next midnight of the viewer's zone and of the accounts' zones."""
    now = timezone.now()
    zones = accounts.order_by().values_list("timezone", flat=True).distinct()
    return min([next_midnight(now), *(next_midnight(now, ZoneInfo(zone)) for zone in zones)])
