"""The targets x lists grid of the deliverability page, a fixed number of queries per page. MISSION: DLV-2."""

from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator

from core import text
from deliverability.blocklists.dnsbl import Kind
from deliverability.models import Blocklist, ListingStatus, MonitoredTarget

PER_PAGE = 50


@dataclass
class Row:
    target: MonitoredTarget
    # (Blocklist, cell) pairs; cell: a ListingStatus, None (not checked yet) or "n/a" (the list does not
    # answer for this kind of address)
    cells: list
    listed: int


@dataclass
class Grid:
    lists: list
    rows: list
    page: Page
    kind: str
    cells_html: dict = field(default_factory=dict)  # a cell's HTML by cell_key: most cells of a page read alike


def cell_key(blocklist: Blocklist, cell) -> tuple:
    """Everything ``deliverability/_cell.html`` reads of a cell and its list (the language and time zone are the
    request's): two cells with the same key render the same HTML."""
    if not isinstance(cell, ListingStatus):
        return (blocklist.pk, cell)  # "n/a" or None (not checked yet)
    listing = (cell.listed_since, blocklist.delist_url) if cell.listed else (None, "")
    # meaning and reason may be messages (core.text: translated when shown), which do not hash: their stored form
    said = (text.dumps(cell.meaning), text.dumps(cell.reason))
    shown = (cell.result, cell.listed, bool(cell.policy), tuple(str(c) for c in cell.codes or ()), *said)
    return (blocklist.pk, *shown, cell.checked_at, *listing)


def grid(targets, *, kind: str, page=None, active: list[Blocklist] | None = None) -> Grid:
    """``targets``: the account's targets as the page's filter chose them; ``kind``: "ip" or "domain";
    ``active``: the active lists when the caller has them already (one query for both grids of a page)."""
    if active is None:
        active = list(Blocklist.objects.active())
    lists = [bl for bl in active if (bl.kind == Kind.DOMAIN) == (kind == "domain")]
    targets = targets.domains() if kind == "domain" else targets.ips()
    targets = targets.select_related("stream").order_by("stream__name", "sort_key")
    current = Paginator(targets, PER_PAGE).get_page(page)
    statuses = {
        (s.target_id, s.blocklist_id): s
        for s in ListingStatus.objects.filter(target__in=[t.pk for t in current.object_list], blocklist__in=lists)
    }
    specs = {bl.pk: bl.spec() for bl in lists}
    rows = []
    for target in current.object_list:
        cells = [
            (bl, statuses.get((target.pk, bl.pk)) if specs[bl.pk].accepts_kind(target.kind) else "n/a") for bl in lists
        ]
        rows.append(Row(target, cells, sum(1 for _bl, c in cells if isinstance(c, ListingStatus) and c.listed)))
    return Grid(lists=lists, rows=rows, page=current, kind=kind)
