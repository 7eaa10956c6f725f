"""Sustained unavailability is alerted once per incident to the TAMs and the alert contacts, and the
customer is offered a critical case pre-filled with the incident (MISSION: AV-1, CR-0)."""

import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from accounts.models import OutboundEmail
from availability import alerts, tasks
from availability.ledger import API
from availability.models import AvailabilityProfile, IncidentAlert, SecondRollup

pytestmark = pytest.mark.django_db


def down(account, start, seconds, channel=API):
    SecondRollup.objects.bulk_create(
        SecondRollup(account=account, channel=channel, second=start + s, attempts=5, failures=5) for s in range(seconds)
    )


def test_a_sustained_incident_is_alerted_once_with_a_case_offered(client, world):
    now = int(time.time())
    AvailabilityProfile.objects.create(account=world.acme, sustained_seconds=60)
    down(world.acme, now - 200, 59)  # short of the threshold
    assert alerts.alert(world.acme, now) == 0
    down(world.acme, now - 100, 75)
    assert tasks.watch() == 1
    assert tasks.watch() == 0  # the same incident, longer now: not again
    SecondRollup.objects.create(account=world.acme, channel=API, second=now - 25, attempts=5, failures=5)
    assert alerts.alert(world.acme, now) == 0  # still the same incident (the run continued)
    assert IncidentAlert.objects.filter(account=world.acme).count() == 1

    mails = OutboundEmail.objects.filter(kind="availability.incident")
    recipients = sorted(address for mail in mails for address in mail.to)
    assert recipients == ["alice@acme.test", "tina@tam.test", "tom@tam.test"]  # Acme's admin and its TAMs
    customer = next(mail for mail in mails if "tina@tam.test" not in mail.to)
    link = next(line for line in customer.body.splitlines() if "/cases/new/" in line)
    query = parse_qs(urlparse(link).query)
    assert query["severity"] == ["critical"] and "API" in query["subject"][0]
    client.force_login(world.alice)
    form = client.get(f"{urlparse(link).path}?{urlparse(link).query}").content.decode()
    assert "unavailable seconds over" in form  # the description, pre-filled
    assert re.search(r'value="critical"[^>]*checked', form)  # Severity 1 chosen


def test_other_accounts_are_not_alerted_for_acme(world):
    now = int(time.time())
    down(world.acme, now - 120, 90)
    tasks.watch()
    assert not IncidentAlert.objects.filter(account=world.globex).exists()
    assert all("globex" not in address for mail in OutboundEmail.objects.all() for address in mail.to)


def test_the_page_offers_the_case_while_the_incident_lasts(client, world):
    now = int(time.time())
    down(world.acme, now - 90, 88)
    client.force_login(world.alice)
    page = client.get("/a/acme/availability/").content.decode()
    assert 'data-testid="ongoing"' in page
    assert "Unavailable now: 88 unavailable seconds over the last 88 seconds." in page
    assert "/a/acme/cases/new/?severity=critical" in page
    SecondRollup.objects.all().delete()
    down(world.acme, now - 4000, 90)  # over long ago: no offer
    assert 'data-testid="ongoing"' not in client.get("/a/acme/availability/").content.decode()
