"""Incidents counted once (MISSION: CR-0, AV-1): a long outage and a backed-off one, fed through the real
ingestion and the real watcher task at its beat interval, are each one incident, alerted once when sustained
and once when over; the per-second count stays exact."""

import json
from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import OutboundEmail
from availability import tasks
from availability.ingest import digest_of, ingest
from availability.ledger import API, SMTP, gaps, incidents, iso
from availability.models import IncidentAlert, SecondRollup
from availability.reports import report

pytestmark = pytest.mark.django_db
BEAT = int(settings.CELERY_BEAT_SCHEDULE["availability-watch"]["schedule"])  # 30 seconds
START = "2026-11-10 10:00:00"


def epoch(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def feed(account, rows):
    lines = ["ts,channel,outcome", *(f"{iso(second)},{channel},{outcome}" for second, channel, outcome in rows)]
    return ingest(account, lines, digest=digest_of(["\n".join(lines).encode()]))


def run(account, frozen, attempts, until):
    """The collector sends the attempts of each beat interval as it ends; the watcher runs at every beat."""
    t0 = epoch(START)
    for tick in range(t0 + BEAT, until + 1, BEAT):
        frozen(datetime.fromtimestamp(tick, UTC))
        batch = [a for a in attempts if tick - BEAT <= a[0] < tick]
        if batch:
            feed(account, batch)
        tasks.watch()


def staff_alerts():
    """The alerts the TAM received, oldest first: (subject, body)."""
    mails = OutboundEmail.objects.filter(kind="availability.incident").order_by("pk")
    return [(m.subject, m.body) for m in mails if "tina@tam.test" in m.to]


def test_a_two_hour_outage_is_one_incident_alerted_once_started_and_once_ended(world, frozen):
    """Today a new alert went out every 30 s after the first hour (the watcher looked back a fixed hour)."""
    t0 = epoch(START)
    outage = [(t0 + s, "api", "timeout") for s in range(7200)]
    after = [(t0 + 7200 + s, "api", "success") for s in range(900)]
    run(world.acme, frozen, outage + after, t0 + 8100)

    alerts = staff_alerts()
    assert [subject for subject, _body in alerts] == [
        "[Acme] Unavailable for 60 seconds and counting",
        "[Acme] Available again after 7200 seconds",
    ]
    assert "since 2026-11-10T10:00:00Z" in alerts[0][1]
    assert "began at 2026-11-10T10:00:00Z" in alerts[1][1] and "ended at 2026-11-10T12:00:00Z" in alerts[1][1]
    (stored,) = IncidentAlert.objects.filter(account=world.acme)
    assert (stored.start, stored.end, stored.unavailable, stored.channels) == (t0, t0 + 7200, 7200, "api")
    assert stored.ended_at is not None
    november = report(world.acme, 2026, 11)
    assert november.unavailable == 7200
    assert [(i.start, i.seconds) for i in november.incidents] == [(t0, 7200)]


def test_a_backed_off_outage_is_one_sustained_incident(world, frozen, capsys):
    """One timed-out call every 2 s for 15 minutes: 451 unavailable seconds (exact), one incident of 901 s
    (today 451 one-second incidents: no alert, no critical case)."""
    t0 = epoch(START)
    calls = [(t0 + s, "api", "timeout") for s in range(0, 901, 2)]
    recovered = [(t0 + 902 + s, "api", "success") for s in range(0, 600, 2)]
    run(world.acme, frozen, calls + recovered, t0 + 1800)

    assert [subject for subject, _body in staff_alerts()] == [
        "[Acme] Unavailable for 89 seconds and counting",  # sustained (60 s) at the beat after a minute
        "[Acme] Available again after 901 seconds",
    ]
    assert IncidentAlert.objects.filter(account=world.acme).count() == 1
    call_command("availability_report", "--account", "acme", "--month", "2026-11", "--json")
    data = json.loads(capsys.readouterr().out)
    assert data["unavailable_seconds"]["total"] == 451  # the per-second count stays exact
    assert data["incidents"] == [
        {
            "start": "2026-11-10T10:00:00Z",
            "end": "2026-11-10T10:15:01Z",
            "seconds": 901,
            "unavailable_seconds": 451,
            "channels": ["api"],
        }
    ]


def test_quiet_seconds_join_an_incident_but_an_attempt_or_a_long_gap_splits_it(world):
    """The merge rule alone: no attempt at all (either channel) in between and at most
    INCIDENT_MERGE_SECONDS apart; a success on SMTP between two API failures splits them."""
    down = [(100, API), (102, API), (104, SMTP), (170, API), (200, API), (230, API)]
    assert gaps(down, 60) == [(101, 102), (103, 104), (171, 200), (201, 230)]  # 104 -> 170: too far apart
    found = incidents(down, 60, attempted=[201])  # an SMTP success at 201
    assert [(i.start, i.end, i.unavailable, sorted(i.channels)) for i in found] == [
        (100, 105, 3, [API, SMTP]),  # 104 -> 170 is 66 s: too far apart
        (170, 201, 2, [API]),
        (230, 231, 1, [API]),
    ]
    assert [(i.start, i.end) for i in incidents(down)] == [(s, s + 1) for s, _c in down]  # no merge: runs
    t = epoch("2026-11-12 08:00:00")
    feed(world.acme, [(t, "api", "timeout"), (t + 1, "smtp", "success"), (t + 2, "api", "timeout")])
    feed(world.acme, [(t + 10, "api", "timeout"), (t + 30, "smtp", "server_error")])
    november = report(world.acme, 2026, 11)
    assert [(i.start - t, i.seconds, i.unavailable) for i in november.incidents] == [(0, 1, 1), (2, 29, 3)]
    assert SecondRollup.objects.filter(account=world.acme).count() == 5
