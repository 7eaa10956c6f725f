"""The SNDS page's per-IP calendar strip, without the ORM: one square per day of the window, coloured by
the filter result Microsoft gave that day (no data: grey), with what a reader needs in its title."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.translation import gettext as _

CELL, GAP = 10, 2
COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "unknown": "#6d4c41", None: "#e0e0e0"}


@dataclass(frozen=True)
class Cell:
    x: int
    day: date
    colour: str
    title: str
    traps: bool


def strip(days: dict[date, object], first: date, count: int) -> list[Cell]:
    """``days``: that IP's rows by day (``filter_result``, ``get_filter_result_display``, ``trap_hits``)."""
    cells = []
    for n in range(count):
        day = first + timedelta(days=n)
        row = days.get(day)
        label = formats.date_format(day, "SHORT_DATE_FORMAT")
        if row is None:
            title, colour, traps = _("%(day)s: no data") % {"day": label}, COLOURS[None], False
        else:
            colour, traps = COLOURS.get(row.filter_result, COLOURS["unknown"]), bool(row.trap_hits)
            title = _("%(day)s: %(filter)s, %(traps)s trap hits") % {
                "day": label,
                "filter": row.get_filter_result_display(),
                "traps": row.trap_hits or 0,
            }
        cells.append(Cell(n * (CELL + GAP), day, colour, title, traps))
    return cells


def width(count: int) -> int:
    return count * (CELL + GAP)
