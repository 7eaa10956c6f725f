"""The dashboard seam: each app contributes panels without ``portal`` knowing its internals.

``settings.DASHBOARD_PANELS`` lists callables ``(request, account) -> Panel | None``; the dashboard
renders them in order, and ``/a/<slug>/panel/<name>/`` re-renders one for htmx refreshes. A panel
function must run a fixed number of queries, whatever the size of the account.
"""

from dataclasses import dataclass, field
from functools import cache

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import Membership
from .reachability import reachability


@dataclass
class Panel:
    name: str  # the DOM id and the refresh URL's last part
    title: str
    template: str
    context: dict = field(default_factory=dict)
    wide: bool = False
    refresh_seconds: int | None = None  # htmx re-renders the panel this often


@cache
def dashboard_panel_functions() -> dict:
    functions = {}
    for path in settings.DASHBOARD_PANELS:
        fn = import_string(path)
        functions[fn.__name__.replace("_", "-")] = fn
    return functions


def tam_card(request, account) -> Panel:
    """MISSION: TAM-1 — who the TAM is, and whether they are reachable now or when next."""
    now = timezone.now()
    people = []
    for person, role in ((account.primary_tam, _("Your TAM")), (account.backup_tam, _("Backup TAM"))):
        if person is None:
            continue
        calendar = person.calendar
        people.append(
            {
                "person": person,
                "role": role,
                "reach": reachability(person, now),
                "calendar": calendar,
                "windows": list(calendar.windows.all()) if calendar else [],
                "changes": calendar.upcoming_exceptions(timezone.localdate(now, calendar.schedule.tz))
                if calendar
                else [],
            }
        )
    return Panel(
        name="tam-card",
        title=_("Your Technical Account Manager"),
        template="accounts/panels/tam_card.html",
        context={"people": people, "now": now},
        wide=True,
        refresh_seconds=60,
    )


def severity1_line(request, account) -> Panel:
    """MISSION: CR-1 — the Severity 1 line, staffed 24/7/365, and the support address (NC-1)."""
    return Panel(
        name="severity1-line",
        title=_("Critical issues: Severity 1 line"),
        template="accounts/panels/severity1_line.html",
        context={"account": account},
    )


def team(request, account) -> Panel:
    memberships = list(Membership.objects.filter(account=account).select_related("user").order_by("user__full_name"))
    return Panel(
        name="team",
        title=_("Your team"),
        template="accounts/panels/team.html",
        context={"memberships": memberships, "account": account},
    )
