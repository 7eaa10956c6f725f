"""The blocklist history of an account: filters, how long each listing lasted, and the CSV export.

MISSION: DLV-2. A listing's duration runs from its "listed" event to the pair's next "delisted" event
(or to now, while it lasts); a delisting shows how long the listing it ended had lasted.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import django_filters
from django import forms
from django.http import HttpResponse
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import spreadsheet
from core.filters import ListFilter
from deliverability.models import Blocklist, ListingEvent

CSV_LIMIT = 20_000  # rows in one export: years of history for the largest accounts


class HistoryFilter(ListFilter):
    """Event kind, list, a part of the address or domain, and a date range (in the reader's time zone)."""

    kind = django_filters.ChoiceFilter(choices=ListingEvent.Kind.choices, empty_label=gettext_lazy("All events"))
    blocklist = django_filters.ModelChoiceFilter(
        queryset=Blocklist.objects.order_by("name"), empty_label=gettext_lazy("All lists")
    )
    q = django_filters.CharFilter(
        field_name="target__value", lookup_expr="icontains", label=gettext_lazy("IP or domain")
    )
    since = django_filters.DateFilter(
        field_name="at", lookup_expr="date__gte", label=gettext_lazy("From"), widget=forms.DateInput({"type": "date"})
    )
    until = django_filters.DateFilter(
        field_name="at", lookup_expr="date__lte", label=gettext_lazy("To"), widget=forms.DateInput({"type": "date"})
    )


@dataclass
class Row:
    event: ListingEvent
    duration: timedelta | None  # how long the listing lasted (so far, if ``ongoing``)
    ongoing: bool

    @property
    def duration_text(self) -> str:
        if self.duration is None:
            return ""
        if self.duration < timedelta(minutes=1):
            return _("under a minute")
        base = timezone.now()
        return timesince(base - self.duration, now=base, depth=2)


def with_durations(events, *, now: datetime | None = None) -> list[Row]:
    """Each event with the duration of its listing (one query for the pairs' other events)."""
    events = list(events)
    now = now or timezone.now()
    pairs = {(e.target_id, e.blocklist_id) for e in events}
    timeline: dict[tuple[int, int], list[ListingEvent]] = {}
    if pairs:
        others = ListingEvent.objects.filter(
            target__in={t for t, _b in pairs}, blocklist__in={b for _t, b in pairs}
        ).order_by("at", "id")
        for other in others.only("id", "target_id", "blocklist_id", "kind", "at"):
            timeline.setdefault((other.target_id, other.blocklist_id), []).append(other)
    return [_row(e, timeline.get((e.target_id, e.blocklist_id), []), now) for e in events]


def _row(event: ListingEvent, timeline: list[ListingEvent], now: datetime) -> Row:
    position = next((i for i, other in enumerate(timeline) if other.pk == event.pk), None)
    if position is None:
        return Row(event, None, False)
    if event.kind == ListingEvent.Kind.LISTED:
        end = next((o for o in timeline[position + 1 :] if o.kind == ListingEvent.Kind.DELISTED), None)
        return Row(event, (end.at if end else now) - event.at, end is None)
    start = next((o for o in reversed(timeline[:position]) if o.kind == ListingEvent.Kind.LISTED), None)
    return Row(event, event.at - start.at if start else None, False)


def csv_response(account, events) -> HttpResponse:
    """The filtered history as CSV (through ``core.spreadsheet``: typed text never runs as a formula)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="blocklist-history-{account.slug}.csv"'
    writer = spreadsheet.Writer(response)
    zone = timezone.get_current_timezone_name()
    writer.writerow(
        [f"at ({zone})", "event", "ip_or_domain", "stream", "list", "zone", "codes", "meaning", "reason"]
        + ["listed_hours", "ongoing"]
    )
    for row in with_durations(events[:CSV_LIMIT]):
        e = row.event
        writer.writerow(
            [
                timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S %Z"),
                e.get_kind_display(),
                e.target.display,
                e.target.stream.name if e.target.stream else "",
                e.blocklist.name,
                e.blocklist.zone,
                " ".join(e.codes),
                str(e.meaning) if e.meaning else "",
                e.reason,
                round(row.duration.total_seconds() / 3600, 2) if row.duration is not None else "",
                "yes" if row.ongoing else "",
            ]
        )
    return response
