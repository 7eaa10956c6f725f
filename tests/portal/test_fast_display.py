"""What the pages show on every row, computed faster (issue 18) and still the same text: the ``when`` filter's
clock against Django's ``date:"H:i T"``, a case's status and severity labels against Django's own
``get_FOO_display`` (core/choices.py). MISSION: CR-4 (times in the reader's zone, the zone named)."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import timezone, translation
from django.utils.translation import pgettext

from accounts.models import OpeningWindow
from cases.models import Case
from portal.templatetags.portal_tags import when

ZONES = ["Europe/Warsaw", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe", "UTC"]
# Ordinary hours, and both clock changes of 2026 in Europe and in the US (an hour that happens twice).
MOMENTS = [
    datetime(2026, 6, 9, 8, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),  # 02:30 in Warsaw, the first time
    datetime(2026, 10, 25, 1, 30, tzinfo=UTC),  # 02:30 in Warsaw, the second time
    datetime(2026, 3, 29, 1, 0, tzinfo=UTC),
    datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 in New York, the first time
    datetime(2026, 11, 1, 6, 30, tzinfo=UTC),  # 01:30 in New York, the second time
]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("language", ["en", "pl"])
def test_when_reads_as_the_date_filter_did(zone, language, time_machine):
    tz = zoneinfo.ZoneInfo(zone)
    for moment in MOMENTS:
        time_machine.move_to(moment - timedelta(hours=3))
        for shift in (timedelta(0), timedelta(days=1), timedelta(days=3), timedelta(days=30)):
            value = moment + shift
            with translation.override(language), timezone.override(tz):
                local = timezone.localtime(value)
                fmt = pgettext("time of day, as a Django date format", "H:i")  # Polish: "9:00", no leading zero
                clock = date_filter(local, f"{fmt} T")
                assert clock in when(value), (zone, value)
                assert when(value).endswith(clock)


@pytest.mark.parametrize("language", ["en", "pl"])
def test_status_severity_and_weekday_labels_are_djangos(language):
    case = Case()
    with translation.override(language):
        for value, label in Case.Status.choices:
            case.status = value
            assert case.get_status_display() == str(label)
        for value, label in Case.Severity.choices:
            case.severity = value
            assert case.get_severity_display() == str(label)
        window = OpeningWindow()
        for value, label in OpeningWindow.Weekday.choices:
            window.weekday = value
            assert window.get_weekday_display() == str(label)
        case.status = "no-such-status"  # a value the choices lost: shown as stored, as Django does
        assert case.get_status_display() == "no-such-status"
