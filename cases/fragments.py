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
- **A case page's forms** (``#case-actions``: reply, follow, classification, the staff's dozen actions) are kept
  per case, person, language and zone like the rest; what they show (the status, the follow button, a pending
  request, the rating, the assignee, the related cases) is saved on watched models. They hold placeholders for
  the CSRF token and the one-time form tokens, filled per answer (``core.panel_cache.with_tokens``): a form sent
  without htmx carries the request's own token. Who else is replying (``presence``, changing by the second) is
  a slot drawn for every answer. A form sent back with its errors, or filled with a canned reply, is drawn
  for that request alone (``fresh``).
- **The staff queue's forms** (``#queue-forms``: the head, filters, saved views, save-view and bulk-action forms)
  are kept the same way (``Forms``), with the queue's table, per query string and under the versions of every
  account the person reaches. Saved views are of no account: saving, changing or deleting one moves every
  account's version (``audit(account=None)``; ``SavedView`` is in ``WATCHED`` for writes outside the services), as
  does a change of a person's name ("shared by ..."). Another person's private view asked for by number is drawn
  for that person, whose key is their own: a 404 as before. MISSION: TAM-4.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

from accounts.models import Account
from core.pagination import CappedPaginator
from core.panel_cache import (
    cacheable,
    csrf_placeholder,
    form_token_placeholder,
    next_midnight,
    query_digest,
    render_all,
    render_console,
)
from core.panels import Panel

from .badges import badge, badge_changes


def _panel(html: str, changes_at: datetime) -> Panel:
    return Panel(name="", title="", template="", context={"html": html}, changes_at=changes_at)


@dataclass(frozen=True)
class Forms:
    """A case page's forms: the partials that hold them (``templates``, e.g. its ``#case-actions``), the context
    they are drawn from (``draw()``, called only when the cache lacks one of them, once for all), and ``slots``:
    parts drawn for every answer (``{name: draw}``; a template shows ``{{ name_slot }}`` when given one, else
    draws the part itself)."""

    draw: Callable[[], dict]
    templates: tuple[str, ...]
    slots: dict[str, Callable[[], str]] = field(default_factory=dict)

    def fresh(self, request) -> list[str]:
        """Drawn for this answer alone, with its own tokens (a form sent back with its errors)."""
        context = self.draw() | {f"{name}_slot": part() for name, part in self.slots.items()}
        return [render_to_string(template, context, request=request) for template in self.templates]

    def functions(self, name: str) -> dict[str, Callable]:
        """The cached drawings, named ``name`` and each template (what tells them apart from other pages' forms:
        the case, the query string), with placeholders for the tokens (``core.panel_cache.with_tokens``) and
        slots."""
        context = {}

        def drawn(template: str) -> Callable:
            @cacheable
            def actions(request, *_account) -> Panel:  # a page of one account, or the console's
                if not context:
                    context.update(self.draw(), csrf_token=csrf_placeholder())
                    context.update(form_token_placeholder=form_token_placeholder())
                    context.update({f"{name}_slot": _slot(name) for name in self.slots})
                return _panel(render_to_string(template, context, request=request), None)

            return actions

        return {f"{name}:{template}": drawn(template) for template in self.templates}

    def filled(self, html: str) -> str:
        for name, part in self.slots.items():
            if _slot(name) in html:
                html = html.replace(_slot(name), part())
        return mark_safe(html)  # noqa: S308 - rendered HTML with rendered parts put in


def _slot(name: str) -> str:
    """Where a cached drawing leaves room for ``name``, drawn for every answer (no text a person types matches)."""
    return "slot" + salted_hmac("cases.fragments", name).hexdigest()


def case_parts(
    request,
    case,
    events: QuerySet | Callable[[], QuerySet],
    *,
    internal: bool,
    summary: dict | Callable[[], dict] | None = None,
    forms: Forms | None = None,
) -> list[str]:
    """The timeline of ``case`` drawn from ``events`` (a lazy QuerySet, or a function making one: nothing is
    built or read when the cache has it); ``internal`` says the events include internal notes (the staff's
    page), and keys them apart. With
    ``summary`` (the context of ``cases/detail.html#case-summary``, or a function making it: read only when it is
    drawn), the page's summary too (the customer's, or with ``internal`` the staff's), kept until its clock next
    changes. With ``forms``, each of its partials after them (one read of the cache for all)."""

    @cacheable
    def timeline(request, account) -> Panel:
        shown = events() if callable(events) else events
        html = render_to_string("cases/_timeline.html", {"events": shown, "case": case, "request": request})
        return _panel(html, next_midnight(timezone.now()))

    @cacheable
    def drawn_summary(request, account) -> Panel:
        now = timezone.now()
        template = "cases/staff/detail.html#case-summary" if internal else "cases/detail.html#case-summary"
        html = render_to_string(template, summary() if callable(summary) else summary, request=request)
        return _panel(html, min([next_midnight(now), *(m for m in badge_changes(case) if m > now)]))

    which = "internal" if internal else "public"
    functions = {f"case-timeline:{case.pk}:{which}": timeline}
    if summary is not None:
        functions[f"case-summary:{case.pk}:{which}"] = drawn_summary
    if forms is not None:
        functions |= forms.functions(f"case-actions:{case.pk}")
    parts = render_all(request, case.account, functions, _html)
    if forms is None:
        return parts
    drawn = len(parts) - len(forms.templates)
    return parts[:drawn] + [forms.filled(html) for html in parts[drawn:]]


def _html(panel: Panel) -> str:
    return panel.context["html"]


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


def queue_parts(request, filters, forms: Forms | None = None) -> list[str]:
    """The staff queue (``cases/staff/queue.html#queue-table``) for this query string; with ``forms``, each of its
    partials after it (the filters, saved views and bulk form: ``#queue-forms``), one read of the cache for all.
    A table that is not kept (``QueueFilter.keeps``) is drawn for this answer; its forms are kept all the same."""

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

    if not filters.keeps and forms is None:  # a search typed live (htmx): nothing of it kept
        return [draw().context["html"]]
    digest = query_digest(request)
    functions = {f"queue-table:{digest}": cacheable(draw) if filters.keeps else draw}
    if forms is not None:
        functions |= forms.functions(f"queue-forms:{digest}")
    reached = Account.objects.visible_to(request.user).values_list("pk", flat=True)
    return render_console(request, reached, functions, _html)
