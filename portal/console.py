"""The staff console's account table, kept in the panel cache like the console's panels (issue 18).

The table shows each account's name, status and TAMs (their versions and ``ALL``'s move at any change), whether
the primary TAM is reachable now (turns at an edge of that TAM's business hours) and the customer's local time
(turns every minute). It is kept per person, language, zone and query string until the first of those turns; a
search is drawn afresh (each typed prefix would be an entry read once).
"""

from datetime import datetime, timedelta

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Account
from accounts.reachability import reach_changes_at, reachable_now
from core.panel_cache import cacheable, query_digest
from core.panels import Panel

from .filters import AccountFilter

TABLE = "account-table"
TEMPLATE = "portal/console.html#account-table"


def _role(account, user) -> str:
    if account.primary_tam_id == user.pk:
        return "primary"
    return "backup" if account.backup_tam_id == user.pk else ""


def _changes_at(accounts, now: datetime) -> datetime:
    """The next minute (the customers' local times: every zone's offset is whole minutes, so each local clock
    turns its minute with UTC's) or an earlier edge of a shown primary TAM's hours ("reachable" / "away")."""
    moments = [now.replace(second=0, microsecond=0) + timedelta(minutes=1)]
    tams = {account.primary_tam_id: account.primary_tam for account in accounts if account.primary_tam}
    moments += [moment for tam in tams.values() if (moment := reach_changes_at(tam, now)) is not None]
    return min(moments)


def account_table(request, filters: AccountFilter):
    """The console's panel function ``(request) -> Panel`` drawing the table of ``filters``' page of the
    person's accounts, with its key name; marked cacheable unless the person is searching."""

    def table(request) -> Panel:
        page = Paginator(filters.qs.order_by("name"), 50).get_page(request.GET.get("page"))
        now = timezone.now()
        rows = [
            {
                "account": account,
                "my_role": _role(account, request.user),
                "tam_reach": reachable_now(account.primary_tam, now) if account.primary_tam else None,
            }
            for account in page.object_list
        ]
        context = {"rows": rows, "page": page, "query": filters.values["q"]}
        return Panel(
            name=TABLE, title="", template=TEMPLATE, context=context, changes_at=_changes_at(page.object_list, now)
        )

    name = f"{TABLE}:{query_digest(request)}"
    return name, (table if filters.values["q"] else cacheable(table))


def console_filters(request) -> AccountFilter:
    return AccountFilter(request.GET, queryset=Account.objects.staffed_by(request.user).with_tam_calendars())


def render_table(request, panel: Panel) -> str:
    return render_to_string(panel.template, panel.context, request=request)
