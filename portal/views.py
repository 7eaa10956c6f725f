"""Home, the customer dashboard and the staff console: thin views over each app's public functions."""

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET

from accounts.models import Account
from core.decorators import staff_required
from core.panel_cache import csrf_placeholder, render_all, render_console
from core.panels import Panel, panel_functions

from . import console as console_table


@require_GET
def home(request):
    """Staff start in the console; a customer with one account goes straight to it."""
    if request.user.is_staff:
        return redirect("console")
    accounts = list(Account.objects.visible_to(request.user).order_by("name")[:50])
    if len(accounts) == 1:
        return redirect(accounts[0])
    return render(request, "portal/home.html", {"accounts": accounts})


def _visible(request):
    # The TAMs, their calendars and hours are fetched by the TAM card itself when it is not served from the
    # cache: joined here, they cost every request 0.7 ms of SQL compilation and rows to build (issue 18).
    return Account.objects.visible_to(request.user)


def _account_for(request, slug):
    return get_object_or_404(_visible(request), slug=slug)


SWITCHER = 20  # other accounts a customer's dashboard links to


def _account_and_others(request, slug) -> tuple[Account, list[dict]]:
    """The account (404 when missing or not theirs) and a customer's other accounts for the switcher, by name:
    one query, the account first (issue 18). Staff reach accounts from the console instead."""
    if request.user.is_staff:
        return _account_for(request, slug), []
    here = ExpressionWrapper(Q(slug=slug), output_field=BooleanField())
    rows = list(_visible(request).annotate(here=here).order_by("-here", "name")[: SWITCHER + 1])
    if not rows or rows[0].slug != slug:
        raise Http404
    return rows[0], [{"name": other.name, "slug": other.slug} for other in rows[1:]]


def _panel_context(panel: Panel, account=None) -> dict:
    """What ``portal/panel.html`` gets, on both screens: the panel's own context, the panel, and on the
    dashboard the account and the refresh URL of a panel that refreshes itself."""
    refresh_url = reverse("account-panel", args=[account.slug, panel.name]) if account and panel.refresh_seconds else ""
    # a form's token is put in when the panel is served, cached or not (core.panel_cache)
    csrf = {"csrf_token": csrf_placeholder()}
    return {**panel.context, "panel": panel, "account": account, "refresh_url": refresh_url, **csrf}


def _renderer(request, account=None):
    def render(panel: Panel) -> str:
        return render_to_string("portal/panel.html", _panel_context(panel, account), request=request)

    return render


def _dashboard_panels(request, account, functions: dict) -> list[str]:
    """The dashboard's panels as HTML, those marked ``@cacheable`` from the per-account cache (issue 18)."""
    return render_all(request, account, functions, _renderer(request, account))


def _console_parts(request, functions: dict) -> list[str]:
    """The console's parts as HTML (its panels, then its account table), those marked ``@cacheable`` kept under the
    versions of every account the person reaches (issue 18)."""
    reached = Account.objects.staffed_by(request.user).values_list("pk", flat=True)
    panel = _renderer(request)

    def draw(part: Panel) -> str:
        return console_table.render_table(request, part) if part.name == console_table.TABLE else panel(part)

    return render_console(request, reached, functions, draw)


@require_GET
def account_dashboard(request, slug):
    """MISSION: TAM-1, CR-1 — what a customer sees first: their TAM, the Severity 1 line, their team,
    and each app's panel."""
    account, other_accounts = _account_and_others(request, slug)
    panels = [html for html in _dashboard_panels(request, account, panel_functions("dashboard")) if html]
    context = {"account": account, "panels": panels, "other_accounts": other_accounts}
    context["show_audit"] = request.user.is_staff  # staff see this page only for accounts they work on
    return render(request, "portal/dashboard.html", context)


@require_GET
def account_panel(request, slug, name):
    """One dashboard panel on its own, for htmx refreshes."""
    fn = panel_functions("dashboard").get(name)
    if fn is None:
        raise Http404
    account = _account_for(request, slug)
    (html,) = _dashboard_panels(request, account, {name: fn})
    if not html:
        raise Http404
    return HttpResponse(html)


@staff_required
@require_GET
def console(request):
    """The staff console: the accounts this person works on, and each app's console panels; an htmx search
    answers with the account table alone."""
    filters = console_table.console_filters(request)
    name, table = console_table.account_table(request, filters)
    functions = {} if request.htmx else dict(panel_functions("console"))
    *panels, table_html = _console_parts(request, {**functions, name: table})
    if request.htmx:
        return HttpResponse(table_html)
    context = {"table": table_html, "query": filters.values["q"], "panels": [html for html in panels if html]}
    return render(request, "portal/console.html", context)
