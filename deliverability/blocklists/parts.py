"""The blocklists page's costly parts, kept rendered in the panel cache (``core.panel_cache``, issue 18).
MISSION: DLV-2.

A warm request reads the person, the account and the account's latest sweep (the progress bar, which is polled
and always drawn live); everything below comes from one ``cache.get_many``.

- **Parts**: the listing summary with the last check (``#blocklist-summary``), each grid for the query string
  (filter and pages), the recent listings and delistings, the articles recommended, and the section saying what
  is monitored (``#monitored``: its forms, for a person who may change monitoring). A form sent back with
  errors is drawn afresh, never kept.
- **Whose**: the account's versions, the reader's language, zone and the person looking (``core.panel_cache``):
  the controls shown follow the person's role, which moves the version when it changes (``Membership``).
- **What changes them**: a sweep finishing, listings recorded or cleared and events written (the sweep's bulk
  writes call ``changed``), targets and streams added, moved or removed, the catalogue (``WATCHED``).
- **The clock**: "Last checked 17:00 CET (12 minutes ago)" changes every minute after the sweep finished; the
  other times ("17:00 CET", "tomorrow") at the reader's midnight; the articles at the account's midnight (a
  warm-up's hold recommends the warm-up article).
- **Reads**: each shared read (the catalogue, the streams, the person's role, the last finished sweep) is made
  at most once per request, and only when a part that needs it is drawn.
"""

import hashlib
from functools import cached_property

from django.template.loader import render_to_string
from django.utils import timezone

from accounts.access import can
from core.panel_cache import cacheable, csrf_placeholder, next_midnight, next_minute_of, render_all
from core.panels import Panel
from deliverability.blocklists.forms import TargetsForm
from deliverability.blocklists.grid import grid
from deliverability.library.content import recommended
from deliverability.models import Blocklist, ListingEvent, ListingStatus, MessageStream, Sweep

PAGE = "deliverability/page.html"
EVENTS_SHOWN = 15


def summary(account) -> dict:
    """Current listings of the account: how many, on how many lists, how many on key lists."""
    return ListingStatus.objects.of(account).listed().summary()


class Reads:
    """What the page's parts share, read at most once per request and only when a part needing it is drawn."""

    def __init__(self, request, account, sweep, targets, show: str):
        self.request, self.account, self.sweep, self.targets, self.show = request, account, sweep, targets, show

    @cached_property
    def catalogue(self) -> tuple[list, list]:
        return Blocklist.objects.active_and_needing_a_key()  # (active, needing a key): one read

    @cached_property
    def streams(self) -> list:
        return list(MessageStream.objects.filter(account=self.account).order_by("name"))

    @cached_property
    def can_manage(self) -> bool:
        return can(self.request.user, "monitoring.manage", self.account)

    @cached_property
    def last(self):
        """The last finished sweep: the latest one when it is done, else one more read."""
        if self.sweep and self.sweep.status == Sweep.State.DONE:
            return self.sweep
        return Sweep.objects.last_finished(self.account)

    def context(self, **more) -> dict:
        base = {"account": self.account, "show": self.show, "csrf_token": csrf_placeholder()}
        return {**base, **more}


def _panel(html: str, changes_at) -> Panel:
    return Panel(name="", title="", template="", context={"html": html}, changes_at=changes_at)


def _draw(template: str, context: dict, request) -> str:
    return render_to_string(template, context, request=request)


def page_parts(request, account, reads: Reads, *, monitored: bool = True) -> dict[str, str]:
    """Each part's HTML by its name in the page's context; ``monitored=False`` leaves out the section (the
    htmx request for ``#blocklist-grids`` alone, or a form sent back with errors, drawn by the caller)."""
    query = hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]

    def grid_of(kind: str, param: str):
        def fn(request, account) -> Panel:
            active, _needing_key = reads.catalogue
            g = grid(reads.targets, kind=kind, page=request.GET.get(param), active=active)
            more = {"g": g, "page_param": param, "streams": reads.streams, "can_manage": reads.can_manage}
            html = _draw("deliverability/_grid.html", reads.context(**more), request)
            return _panel(html, next_midnight(timezone.now()))

        return cacheable(fn)

    @cacheable
    def summary_part(request, account) -> Panel:
        _active, needing_key = reads.catalogue
        more = {"summary": summary(account), "last": reads.last, "needing_key": needing_key}
        html = _draw(f"{PAGE}#blocklist-summary", reads.context(**more), request)
        now = timezone.now()
        moments = [next_midnight(now)] + ([next_minute_of(reads.last.finished_at, now)] if reads.last else [])
        return _panel(html, min(moments))

    @cacheable
    def events(request, account) -> Panel:
        shown = ListingEvent.objects.filter(account=account).select_related("target", "blocklist")[:EVENTS_SHOWN]
        html = _draw("deliverability/_events.html", reads.context(events=shown), request)
        return _panel(html, next_midnight(timezone.now()))

    @cacheable
    def articles(request, account) -> Panel:
        html = render_to_string("deliverability/_recommended.html", {"recommended": recommended(account)})
        return _panel(html, next_midnight(timezone.now(), account.tz))

    @cacheable
    def monitored_section(request, account) -> Panel:
        return _panel(monitored_html(reads), None)  # nothing in it turns with the clock

    parts = {  # the name in the page's context: (the name in the cache, beside the dashboard's panels; its drawing)
        "summary": ("blocklists:summary", summary_part),
        "ips": (f"blocklists:grid-ip:{query}", grid_of("ip", "ip_page")),
        "domains": (f"blocklists:grid-domain:{query}", grid_of("domain", "d_page")),
        "events": ("blocklists:events", events),
        "recommended": ("blocklists:recommended", articles),
        "monitored": ("blocklists:monitored", monitored_section),
    }
    if not monitored:
        del parts["monitored"]
    html = render_all(request, account, dict(parts.values()), lambda panel: panel.context["html"])
    return dict(zip(parts, html, strict=True))


def monitored_html(reads: Reads, form=None) -> str:
    """``#monitored``: the streams and, for a person who may change monitoring, the form adding targets
    (``form``: one sent back with its errors, drawn for this request alone with its own CSRF token)."""
    context = reads.context(streams=reads.streams, can_manage=reads.can_manage, form=form or TargetsForm())
    if form is not None:
        del context["csrf_token"]
    return _draw(f"{PAGE}#monitored", context, reads.request)
