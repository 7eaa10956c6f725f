from datetime import datetime, timedelta

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import querystring
from django.utils import timezone
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the viewer's time zone, as near as makes sense: "17:00 CET", "tomorrow 09:00 CET",
    "Mon 09:00 CET", "24 Dec 09:00 CET". Always names the zone."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    today = timezone.localdate()
    clock = _clock(local)
    days = (local.date() - today).days
    if days == 0:
        return clock
    if days == 1:
        return _("tomorrow %(time)s") % {"time": clock}
    if 1 < days < 7:
        return f"{date_filter(local, 'D')} {clock}"
    return f"{date_filter(local, 'j M')} {clock}"


def _clock(local: datetime) -> str:
    """``date:"H:i T"`` without the template filter's machinery (lists show one per row): the same text, and
    in the hour a clock change makes ambiguous, the filter itself (which then leaves the zone out)."""
    if timezone._datetime_ambiguous_or_imaginary(local, local.tzinfo):  # noqa: SLF001 - the filter's own test
        return date_filter(local, "H:i T")
    return f"{local:%H:%M} {local.tzname()}"


@register.filter
def hhmm(value) -> str:
    """A window's closing time; None means midnight, written 24:00."""
    return "24:00" if value is None else value.strftime("%H:%M")


@register.simple_tag
def local_now(tz_name: str) -> str:
    from zoneinfo import ZoneInfo

    return date_filter(timezone.now().astimezone(ZoneInfo(tz_name)), "H:i T")


@register.filter
def zone_name(value: str) -> str:
    """ "America/New_York" -> "America/New York"."""
    return str(value).replace("_", " ")


@register.filter
def minutes(value: timedelta | None) -> int:
    """A duration in whole minutes."""
    return int(value.total_seconds() // 60) if value else 0


@register.filter
def get_item(mapping, key):
    return mapping.get(key, ()) if mapping else ()


@register.filter
def parse_iso(value):
    """An ISO 8601 string (as stored in JSON details) back into an aware datetime."""
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


@register.simple_tag(takes_context=True)
def page_query(context, number: int, param: str = "") -> str:
    """The current query string with one page number changed ("?status=open&amp;page=2"): the pager's links
    keep the filters. ``param`` defaults to "page"."""
    return querystring(context, **{param or "page": number})
