"""The blocklist grid renders each distinct cell once per page (issue 18): every cell still reads exactly as
``deliverability/_cell.html`` renders it on its own, in both languages and any time zone. MISSION: DLV-2."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template.loader import render_to_string
from django.utils import timezone, translation

from deliverability.blocklists.grid import Grid
from deliverability.models import Blocklist, ListingStatus
from deliverability.templatetags.deliverability_tags import grid_cell

AT = datetime(2026, 6, 14, 10, 0, tzinfo=UTC)
SPAMHAUS = Blocklist(name="Spamhaus ZEN", zone="zen.spamhaus.org", delist_url="https://check.spamhaus.org/")
BARRACUDA = Blocklist(name="Barracuda", zone="b.barracudacentral.org", delist_url="https://barracuda.example/")


def status(**changes) -> ListingStatus:
    fields = {"result": "clear", "listed": False, "codes": [], "meaning": "", "reason": "", "checked_at": AT}
    return ListingStatus(**{**fields, **changes})


# Cells that differ in one thing the cell shows each, and cells equal to an earlier one (served from the memo).
CELLS = [
    (SPAMHAUS, "n/a"),
    (SPAMHAUS, None),
    (SPAMHAUS, status()),
    (BARRACUDA, status()),
    (SPAMHAUS, status(checked_at=AT + timedelta(minutes=1))),
    (SPAMHAUS, status(result="listed", listed=True, codes=["127.0.0.2"], listed_since=AT - timedelta(days=2))),
    (BARRACUDA, status(result="listed", listed=True, codes=["127.0.0.2"], listed_since=AT - timedelta(days=2))),
    (SPAMHAUS, status(result="listed", listed=True, codes=["127.0.0.3"], listed_since=AT - timedelta(days=2))),
    (SPAMHAUS, status(result="listed", listed=True, codes=["127.0.0.2"], listed_since=AT - timedelta(days=3))),
    (SPAMHAUS, status(result="listed", listed=True, codes=["127.0.0.10"], policy=True, listed_since=AT)),
    (SPAMHAUS, status(result="listed", listed=True, codes=["127.0.0.2"], meaning="Spam source", listed_since=AT)),
    (SPAMHAUS, status(result="error", listed=True, reason="timeout", listed_since=AT - timedelta(days=1))),
    (SPAMHAUS, status(result="error", listed=None, reason="timeout")),
    (SPAMHAUS, status(result="error", listed=None, reason="refused")),
    (SPAMHAUS, status(result="unknown", listed=None)),
    (SPAMHAUS, status()),
    (SPAMHAUS, "n/a"),
]


@pytest.mark.parametrize("language", ["en", "pl"])
@pytest.mark.parametrize("zone", ["Europe/Warsaw", "America/New_York"])
def test_each_cell_reads_as_its_template_renders_it(language, zone, time_machine):
    time_machine.move_to(AT, tick=False)
    grid = Grid(lists=[], rows=[], page=None, kind="ip")
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for blocklist, cell in CELLS:
            alone = render_to_string("deliverability/_cell.html", {"blocklist": blocklist, "cell": cell})
            assert grid_cell(grid, blocklist, cell) == alone, (blocklist.name, cell)
    assert len(grid.cells_html) == len(CELLS) - 3  # BARRACUDA's clear cell, the last two: the same as earlier ones
