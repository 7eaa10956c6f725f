"""Where events happen, the services emit them (issues 19, 20): a listing and a delisting, an authentication
regression, an availability incident started and ended, a warm-up hold. Each writes one delivery per
subscribed destination in the change's own transaction (what it sends is checked in test_delivery.py)."""

import json
import time

import pytest

from availability import alerts as availability_alerts
from availability.ledger import API
from availability.models import AvailabilityProfile, SecondRollup
from deliverability.authentication.runs import alert_regressions
from deliverability.blocklists.alerts import send_alerts
from deliverability.models import AuthFinding, ListingEvent
from integrations.models import Delivery, EventType
from planning import services as planning
from tests.deliverability.factories import (
    AuthFindingFactory,
    AuthRunFactory,
    ListingEventFactory,
    MonitoredTargetFactory,
    SweepFactory,
)
from tests.integrations.factories import DestinationFactory
from tests.planning.factories import WarmupPlanFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def everything(world):
    """Acme's endpoint for every event type; Globex's too (it must hear nothing of Acme's)."""
    types = [t for t in EventType.values if t != "test"]
    DestinationFactory(account=world.globex, event_types=types)
    return DestinationFactory(account=world.acme, event_types=types)


def sent(type: str) -> list[dict]:  # noqa: A002
    rows = Delivery.objects.filter(event_type=type).select_related("destination__account")
    assert all(row.destination.account.slug == "acme" for row in rows)
    return [json.loads(row.body)["data"] for row in rows]


def test_a_listing_and_a_delisting(world, everything):
    sweep = SweepFactory(account=world.acme)
    target = MonitoredTargetFactory(account=world.acme, value="192.0.2.9")
    ListingEventFactory(target=target, sweep=sweep)
    ListingEventFactory(target=target, sweep=sweep, kind=ListingEvent.Kind.DELISTED)
    assert send_alerts(sweep.pk) == 2
    (listed,) = sent("blocklist.listed")
    (delisted,) = sent("blocklist.delisted")
    assert listed["target"] == delisted["target"] == "192.0.2.9"
    assert listed["zone"] == "zen.spamhaus.org" and listed["url"].endswith("/a/acme/deliverability/")
    assert send_alerts(sweep.pk) == 0 and Delivery.objects.count() == 2  # alerted once


def test_an_authentication_regression(world, everything):
    run = AuthRunFactory(account=world.acme)
    AuthFindingFactory(run=run, subject="acme.example", kind=AuthFinding.Kind.DMARC, status="fail", regression=True)
    AuthFindingFactory(run=run, subject="acme.example", kind=AuthFinding.Kind.SPF, status="pass")
    alert_regressions(run.pk)
    (event,) = sent("authentication.failing")
    assert (event["domain"], event["check"], event["status"]) == ("acme.example", "DMARC", "fail")


def test_an_incident_started_and_ended(world, everything):
    now = int(time.time())
    AvailabilityProfile.objects.create(account=world.acme, sustained_seconds=60)
    SecondRollup.objects.bulk_create(
        SecondRollup(account=world.acme, channel=API, second=now - 100 + s, attempts=5, failures=5) for s in range(75)
    )
    availability_alerts.alert(world.acme, now)
    (started,) = sent("incident.started")
    assert started["channels"] == ["api"] and started["unavailable_seconds"] == 75
    assert "API unavailable since" in started["summary"]
    availability_alerts.alert(world.acme, now + 3600)
    (ended,) = sent("incident.ended")
    assert ended["started"] == started["started"] and "ended" in ended


def test_a_warm_up_hold(world, everything):
    plan = WarmupPlanFactory(account=world.acme, name="Marketing pool")
    day = plan.start_date
    planning.actuals_import_csv(
        plan=plan, actor=world.tina, text=f"date,provider,sent,delivered,deferrals\n{day},gmail,1000,600,400\n"
    )
    (event,) = sent("warmup.decision")
    assert event["plan"] == "Marketing pool" and event["decision_code"] in ("hold", "step_back")
    assert event["day"] == day.isoformat() and event["reason"]
    planning.actuals_import_csv(  # the same decision, sent again: not a new event
        plan=plan, actor=world.tina, text=f"date,provider,sent,delivered,deferrals\n{day},gmail,1000,600,400\n"
    )
    assert len(sent("warmup.decision")) == 1
