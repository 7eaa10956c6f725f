from datetime import datetime, timedelta

from django import template
from django.template.defaultfilters import date as date_filter
from django.template.defaulttags import querystring
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

register = template.Library()


# A weekday in a phrase of time: "Mon 09:00" / "w poniedziałek o 9:00", and "until Mon 17:00" / "do
# poniedziałku, 17:00" (Polish puts the day in the accusative after "w", in the genitive after "do").
# Lazy: translated in the reader's language when shown, never at import.
AT_WEEKDAY = (
    pgettext_lazy("on a weekday, at a time", "Mon %(time)s"),
    pgettext_lazy("on a weekday, at a time", "Tue %(time)s"),
    pgettext_lazy("on a weekday, at a time", "Wed %(time)s"),
    pgettext_lazy("on a weekday, at a time", "Thu %(time)s"),
    pgettext_lazy("on a weekday, at a time", "Fri %(time)s"),
    pgettext_lazy("on a weekday, at a time", "Sat %(time)s"),
    pgettext_lazy("on a weekday, at a time", "Sun %(time)s"),
)
UNTIL_WEEKDAY = (
    pgettext_lazy("until a weekday, at a time", "until Mon %(time)s"),
    pgettext_lazy("until a weekday, at a time", "until Tue %(time)s"),
    pgettext_lazy("until a weekday, at a time", "until Wed %(time)s"),
    pgettext_lazy("until a weekday, at a time", "until Thu %(time)s"),
    pgettext_lazy("until a weekday, at a time", "until Fri %(time)s"),
    pgettext_lazy("until a weekday, at a time", "until Sat %(time)s"),
    pgettext_lazy("until a weekday, at a time", "until Sun %(time)s"),
)


@register.filter
def when(value: datetime | None) -> str:
    """A moment in the viewer's time zone, as near as makes sense: "17:00 CET", "tomorrow 09:00 CET",
    "Mon 09:00 CET", "24 Dec 09:00 CET" (in Polish "17:00 CET", "jutro o 9:00 CET", "w poniedziałek o 9:00
    CET", "24 gru o 9:00 CET"). Always names the zone."""
    return _relative(value, until=False)


@register.filter
def until_when(value: datetime | None) -> str:
    """The end of a period, as near as makes sense: "until 17:00 CET", "until tomorrow 17:00 CET", "until Mon
    17:00 CET" (in Polish "do 17:00 CET", "do jutra, 17:00 CET", "do poniedziałku, 17:00 CET")."""
    return _relative(value, until=True)


def _relative(value: datetime | None, *, until: bool) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    clock = _clock(local)
    days = (local.date() - timezone.localdate()).days
    if days == 0:
        phrase = pgettext("until a time today", "until %(time)s") if until else pgettext("today, at", "%(time)s")
    elif days == 1:
        phrase = pgettext("until tomorrow, a time", "until tomorrow %(time)s") if until else _("tomorrow %(time)s")
    elif 1 < days < 7:
        phrase = str((UNTIL_WEEKDAY if until else AT_WEEKDAY)[local.weekday()])
    else:
        day = date_filter(local, pgettext("day and short month, as a Django date format", "j M"))
        if until:
            return pgettext("until a date, a time", "until %(date)s %(time)s") % {"date": day, "time": clock}
        return pgettext("on a date, at a time", "%(date)s %(time)s") % {"date": day, "time": clock}
    return phrase % {"time": clock}


def _clock(local: datetime) -> str:
    """``date:"H:i T"`` without the template filter's machinery (lists show one per row): the same text, and
    in the hour a clock change makes ambiguous, the filter itself (which then leaves the zone out). The
    format is the reader's: Polish writes the hour without a leading zero ("9:00")."""
    fmt = pgettext("time of day, as a Django date format", "H:i")
    if timezone._datetime_ambiguous_or_imaginary(local, local.tzinfo):  # noqa: SLF001 - the filter's own test
        return date_filter(local, f"{fmt} T")
    if fmt == "H:i":
        return f"{local:%H:%M} {local.tzname()}"
    return f"{date_filter(local, fmt)} {local.tzname()}"


# How a language writes a month's name inside text: Django's "F" capitalises it, Polish writes "listopad 2026".
MONTH_CASE = pgettext_lazy("month names inside text: 'as is' or 'lower' (a translator's switch)", "as is")


@register.filter
def month_year(value) -> str:
    """A month and its year inside text, in the reader's language: "November 2026", "listopad 2026"."""
    name = date_filter(value, "F Y")
    return name[:1].lower() + name[1:] if str(MONTH_CASE) == "lower" else name


@register.filter
def short_day(value) -> str:
    """A calendar day as the reader writes it: "30 Nov", "30 lis" (never the US "11/30/2026")."""
    if not value:
        return ""
    return date_filter(value, pgettext("day and short month, as a Django date format", "j M"))


@register.filter
def span(start: datetime | None, end: datetime | None) -> str:
    """A period between two moments, each with its day, in the viewer's zone: "30 Nov 01:00 CET – 1 Dec 01:00
    CET" (never the relative "today", which made a day's end read "30 Nov 01:00 CET – 01:00 CET")."""
    if start is None or end is None:
        return ""
    first, last = timezone.localtime(start), timezone.localtime(end)
    phrase = pgettext("a period from a day and time to a day and time", "%(day)s %(time)s – %(end_day)s %(end_time)s")
    return phrase % {
        "day": short_day(first),
        "time": _clock(first),
        "end_day": short_day(last),
        "end_time": _clock(last),
    }


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
