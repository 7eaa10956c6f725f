"""The costly parts of the cases pages, kept rendered in the panel cache (``core.panel_cache``, issue 18): a case's
timeline (forty entries of a long case, each with its labels, times, files and links), the customer's list of
cases and the staff queue. Each changes only through writes, or as the clock moves.

- **Whose**: the key holds the account's versions (the queue: every account the person reaches), the reader's
  language, time zone and the person looking (``core.panel_cache``), and here what is drawn: the case and which
  timeline, the customer's (public entries only, whoever reads it) or the staff's (internal notes too), or the
  list's query string. Internal notes are never in a customer's timeline, so no key can carry one to a customer.
- **What changes them**: a new entry (a reply, a note, a status change...), an edit of one (an erasure scrubs
  its text) and its files are saves of ``CaseEvent``/``CaseAttachment``; a case's status, assignee or deadlines
  a save of ``Case``; a person's name ``accounts.User``; all are in ``core.panel_cache.WATCHED``, which moves
  the account's version. The workers' bulk writes (the SLA sweep's warnings) call ``changed`` themselves.
- **The clock**: a row's badge turns to a warning, then overdue, at the moments ``badges.badge_changes`` names;
  "tomorrow 09:00 CET" changes at the reader's midnight; the queue's "past a deadline" view gains a case when the
  first deadline still ahead among its accounts' cases passes (``QueueFilter.next_change``): each is kept until
  the first of these at most.
- **Not kept**: a search (relevance, the matched words), and the "past a deadline" view of all or of resolved
  cases (``QueueFilter.keeps``).
"""

from datetime import datetime

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.models import Account
from core.pagination import CappedPaginator
from core.panel_cache import cacheable, next_midnight, query_digest, render_all, render_console
from core.panels import Panel

from .badges import badge, badge_changes


def _panel(html: str, changes_at: datetime) -> Panel:
    return Panel(name="", title="", template="", context={"html": html}, changes_at=changes_at)


def case_parts(request, case, events, *, internal: bool, summary: dict | None = None) -> list[str]:
    """The timeline of ``case`` drawn from ``events`` (a lazy QuerySet: no query when the cache has it);
    ``internal`` says the events include internal notes (the staff's page), and keys them apart. With
    ``summary`` (the context of ``cases/detail.html#case-summary``: its lazy QuerySets are read only when it is
    drawn), the customer's page's summary too, kept until its clock next changes."""

    @cacheable
    def timeline(request, account) -> Panel:
        html = render_to_string("cases/_timeline.html", {"events": events, "case": case, "request": request})
        return _panel(html, next_midnight(timezone.now()))

    @cacheable
    def drawn_summary(request, account) -> Panel:
        now = timezone.now()
        html = render_to_string("cases/detail.html#case-summary", summary, request=request)
        return _panel(html, min([next_midnight(now), *(m for m in badge_changes(case) if m > now)]))

    functions = {f"case-timeline:{case.pk}:{'internal' if internal else 'public'}": timeline}
    if summary is not None:
        functions[f"case-summary:{case.pk}"] = drawn_summary
    return render_all(request, case.account, functions, lambda panel: panel.context["html"])


def _rows(page, now: datetime) -> tuple[list, datetime]:
    """Each case of the page with its clock badge, and when the first of those badges (or "tomorrow") changes."""
    rows = [(case, badge(case, now)) for case in page.object_list]
    moments = [m for case in page.object_list if case.is_open for m in badge_changes(case) if m > now]
    return rows, min([next_midnight(now), *moments])


def case_table(request, account, filters) -> str:
    """The customer's list of cases (``cases/list.html#case-table``) for this query string."""

    def draw(*_args) -> Panel:
        cases = filters.qs if filters.searching else filters.qs.order_by("-created_at")
        page = Paginator(cases, 25).get_page(request.GET.get("page"))
        rows, changes_at = _rows(page, timezone.now())
        context = {"account": account, "rows": rows, "page": page, "filters": filters.values}
        return _panel(render_to_string("cases/list.html#case-table", context, request=request), changes_at)

    if filters.searching:
        return draw().context["html"]
    functions = {f"case-table:{query_digest(request)}": cacheable(draw)}
    (html,) = render_all(request, account, functions, lambda panel: panel.context["html"])
    return html


def queue_table(request, filters) -> str:
    """The staff queue (``cases/staff/queue.html#queue-table``) for this query string."""

    def draw(*_args) -> Panel:
        now = filters.now  # the moment the past-a-deadline view selects its cases for
        cases = filters.qs if filters.searching else filters.qs.by_next_deadline()
        page = CappedPaginator(cases, 50).get_page(request.GET.get("page"))
        rows, changes_at = _rows(page, now)
        if filters.keeps and (gains_a_case := filters.next_change()):
            changes_at = min(changes_at, gains_a_case)
        context = {
            "rows": rows,
            "page": page,
            "filters": filters.values,
            "select_mode": request.GET.get("select") == "1",
        }
        return _panel(render_to_string("cases/staff/queue.html#queue-table", context, request=request), changes_at)

    if not filters.keeps:
        return draw().context["html"]
    reached = Account.objects.visible_to(request.user).values_list("pk", flat=True)
    functions = {f"queue-table:{query_digest(request)}": cacheable(draw)}
    (html,) = render_console(request, reached, functions, lambda panel: panel.context["html"])
    return html
