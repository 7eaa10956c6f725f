"""The accounts app's dashboard panels: the TAM card, the Severity 1 line, the team (see ``core.panels``)."""

from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.panel_cache import cacheable, next_midnight
from core.panels import Panel

from .models import Membership
from .models.accounts import TAM_HOURS
from .reachability import reachability


@cacheable
def tam_card(request, account) -> Panel:
    """MISSION: TAM-1 — who the TAM is, and whether they are reachable now or when next."""
    now = timezone.now()
    prefetch_related_objects([account], *TAM_HOURS)  # no query when the account came with them
    people = []
    changes = [next_midnight(now)]  # "tomorrow 09:00" is the viewer's day
    for person, role in ((account.primary_tam, _("Your TAM")), (account.backup_tam, _("Backup TAM"))):
        if person is None:
            continue
        calendar = person.calendar
        today = timezone.localdate(now, calendar.schedule.tz) if calendar else None
        reach = reachability(person, now)
        changes += [reach.until, reach.next_open, next_midnight(now, calendar.schedule.tz) if calendar else None]
        people.append(
            {
                "person": person,
                "role": role,
                "reach": reach,
                "calendar": calendar,
                "windows": list(calendar.windows.all()) if calendar else [],
                "changes": calendar.upcoming_exceptions(today) if calendar else [],
                "holidays": calendar.upcoming_holidays(today) if calendar else [],  # MISSION: TAM-1
            }
        )
    return Panel(
        name="tam-card",
        title=_("Your Technical Account Manager"),
        template="accounts/panels/tam_card.html",
        context={"people": people, "now": now},
        wide=True,
        refresh_seconds=60,
        changes_at=min(moment for moment in changes if moment is not None),  # opens, closes, a new day
    )


@cacheable
def severity1_line(request, account) -> Panel:
    """MISSION: CR-1 — the Severity 1 line, staffed 24/7/365, and the support address (NC-1)."""
    return Panel(
        name="severity1-line",
        title=_("Critical issues: Severity 1 line"),
        template="accounts/panels/severity1_line.html",
        context={"account": account},
    )


@cacheable
def team(request, account) -> Panel:
    memberships = list(Membership.objects.filter(account=account).select_related("user").order_by("user__full_name"))
    return Panel(
        name="team",
        title=_("Your team"),
        template="accounts/panels/team.html",
        context={"memberships": memberships, "account": account},
    )
