"""Business-hours calendars as the provider edits them (MISSION TAM-1, TAM-2, NC-2).

The arithmetic lives in ``accounts/hours.py``; ``BusinessCalendar.schedule()`` hands it these rows.
Deadlines computed from a calendar are stored where they are used, so editing a calendar later never
rewrites a deadline already recorded.
"""

from datetime import date, datetime
from functools import cached_property
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import hours
from accounts.timezones import TimeZoneField
from core import choices


def _holidays():
    """The ``holidays`` package, imported where a calendar is read: its country tables are ~25 modules that a
    process which never reads one (``manage.py blocklist_check``, a user's wait) need not load. MISSION: DLV-2"""
    import holidays

    return holidays


def holiday_country_choices():
    return [("", _("No public holidays"))] + sorted((code, code) for code in _holidays().list_supported_countries())


class BusinessCalendar(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    timezone = TimeZoneField(_("time zone"), default="Europe/Warsaw")
    always_open = models.BooleanField(
        _("open 24/7/365"), default=False, help_text=_("For the Severity 1 line: open every second of the year.")
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=3,
        blank=True,
        choices=holiday_country_choices,
        help_text=_("Closed on this country's public holidays, unless an exception opens the day."),
    )
    holiday_subdivision = models.CharField(_("region"), max_length=10, blank=True)
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business-hours calendar")
        verbose_name_plural = _("business-hours calendars")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.holiday_subdivision and not self.holiday_country:
            raise ValidationError({"holiday_subdivision": _("Choose the country first.")})
        if self.holiday_country and self.holiday_subdivision:
            subdivisions = _holidays().list_supported_countries().get(self.holiday_country, [])
            if self.holiday_subdivision not in subdivisions:
                raise ValidationError({"holiday_subdivision": _("Not a region of that country.")})

    @cached_property
    def schedule(self) -> hours.Schedule:
        """The calendar as the pure arithmetic module sees it. Uses prefetched windows and exceptions."""
        tz = ZoneInfo(self.timezone)
        if self.always_open:
            return hours.Schedule.always_open(tz)
        weekly: dict[int, list[hours.Window]] = {}
        for window in self.windows.all():
            weekly.setdefault(window.weekday, []).append(hours.Window(window.opens, window.closes))
        exceptions = tuple(
            hours.DateException(e.first, e.last, () if e.closed else (hours.Window(e.opens, e.closes),))
            for e in self.exceptions.all()
        )
        public = (
            _holidays().country_holidays(self.holiday_country, subdiv=self.holiday_subdivision or None)
            if self.holiday_country
            else frozenset()
        )
        return hours.Schedule(
            tz=tz, weekly={day: tuple(ws) for day, ws in weekly.items()}, exceptions=exceptions, holidays=public
        )

    def upcoming_exceptions(self, today: date, days: int = 14):
        """Dated changes to the usual hours that start or run within ``days`` (prefetched)."""
        horizon = date.fromordinal(today.toordinal() + days)
        return [e for e in self.exceptions.all() if e.last >= today and e.first <= horizon]

    def upcoming_holidays(self, today: date, days: int = 14) -> list[tuple[date, str]]:
        """Public holidays within ``days`` that close a working day (a dated exception for the day wins, as
        in ``hours.Schedule``): (day, the holiday's name)."""
        if not self.holiday_country or self.always_open:
            return []
        schedule, found = self.schedule, []
        for n in range(days + 1):
            day = date.fromordinal(today.toordinal() + n)
            working = bool(schedule.weekly.get(day.weekday()))
            excepted = any(e.first <= day <= e.last for e in self.exceptions.all())
            if working and not excepted and day in schedule.holidays:
                found.append((day, schedule.holidays.get(day)))
        return found

    def is_open(self, at: datetime) -> bool:
        return self.schedule.is_open(at)


class OpeningWindow(models.Model):
    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), null=True, blank=True, help_text=_("Empty: at midnight (24:00)."))

    class Meta:
        verbose_name = _("opening window")
        verbose_name_plural = _("opening windows")
        ordering = ["calendar", "weekday", "opens"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__isnull=True) | models.Q(closes__gt=models.F("opens")),
                name="window_closes_after_opens",
                violation_error_message=_("A window must close after it opens (leave “closes” empty for midnight)."),
            ),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="window_weekday_range"),
        ]

    def __str__(self):
        closes = self.closes.strftime("%H:%M") if self.closes else "24:00"
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{closes}"

    def get_weekday_display(self) -> str:
        return choices.label(self.Weekday, self.weekday)  # the TAM card shows a week of these (core/choices.py)


class CalendarException(models.Model):
    """Dated change to the usual hours (MISSION TAM-2): closed, extended or shortened for a date range."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions")
    first = models.DateField(_("from"))
    last = models.DateField(_("until (inclusive)"))
    closed = models.BooleanField(_("closed all day"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True, help_text=_("Empty: at midnight (24:00)."))
    note = models.CharField(
        _("note"), max_length=200, blank=True, help_text=_("Shown to customers, e.g. “Christmas Eve”.")
    )

    class Meta:
        verbose_name = _("business-hours exception")
        verbose_name_plural = _("business-hours exceptions")
        ordering = ["calendar", "first"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last__gte=models.F("first")),
                name="exception_dates_ordered",
                violation_error_message=_("The last day cannot be before the first."),
            ),
            models.CheckConstraint(
                condition=models.Q(closed=True) | models.Q(opens__isnull=False),
                name="exception_open_has_hours",
                violation_error_message=_("Give the opening time, or mark the days closed."),
            ),
            models.CheckConstraint(
                condition=models.Q(closed=True)
                | models.Q(closes__isnull=True)
                | models.Q(closes__gt=models.F("opens")),
                name="exception_closes_after_opens",
                violation_error_message=_("The hours must close after they open."),
            ),
        ]

    def __str__(self):
        span = f"{self.first:%Y-%m-%d}" + (f"–{self.last:%Y-%m-%d}" if self.last != self.first else "")
        if self.closed:
            return f"{span}: {_('closed')}"
        closes = self.closes.strftime("%H:%M") if self.closes else "24:00"
        return f"{span}: {self.opens:%H:%M}–{closes}"
