"""The SNDS page's per-IP calendar strip, without the ORM: one square per day of the window, coloured by
the filter result Microsoft gave that day (no data: grey), outlined on a day with trap hits, with what a
reader needs in its title; drawn by ``core.daychart``'s strip."""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core import daychart

COLOURS = {"green": "#2e7d32", "yellow": "#f9a825", "red": "#c62828", "unknown": "#6d4c41", None: "#e0e0e0"}


def _label(day: date) -> str:
    """A day as the reader writes it: "30 Nov", "30 lis" (SNDS's days: UTC)."""
    return date_format(day, pgettext("day and short month, as a Django date format", "j M"))


def strip(days: dict[date, object], first: date, count: int) -> list[daychart.Cell]:
    """``days``: that IP's rows by day (``filter_result``, ``get_filter_result_display``, ``trap_hits``)."""
    found = {
        day: (
            COLOURS.get(row.filter_result, COLOURS["unknown"]),
            _("%(day)s: %(filter)s, %(traps)s trap hits")
            % {"day": _label(day), "filter": row.get_filter_result_display(), "traps": row.trap_hits or 0},
            bool(row.trap_hits),
        )
        for day, row in days.items()
    }

    def empty(day):
        return COLOURS[None], _("%(day)s: no data") % {"day": _label(day)}

    return daychart.strip(found, first=first, count=count, empty=empty)


def width(count: int) -> int:
    return daychart.strip_width(count)
