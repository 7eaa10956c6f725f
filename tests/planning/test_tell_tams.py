"""What a customer asks of the TAM reaches the TAM by email, once, in the TAM's language (issue 17).
MISSION: TAM-5."""

import pytest

from accounts.models import OutboundEmail
from planning.models import FeatureRequest, PeakEvent
from planning.services.tell_tams import tell_tams

pytestmark = pytest.mark.usefixtures("a_fixed_day")


def test_a_customers_capacity_request_emails_the_accounts_tams_once(client, world):
    world.tom.language = "pl"
    world.tom.save(update_fields=["language"])
    client.force_login(world.alice)
    client.post("/a/acme/capacity/", {"p-name": "Black Friday", "p-day": "2027-11-26", "p-daily_volume": "6000000"})
    peak = PeakEvent.objects.get(account=world.acme)
    emails = {tuple(e.to): e for e in OutboundEmail.objects.filter(kind="planning.peakevent")}
    english, polish = emails[("tina@tam.test",)], emails[("tom@tam.test",)]
    assert english.subject == "Acme: capacity request “Black Friday”"
    assert "Alice Andrzejewska (Acme) expects a peak: “Black Friday” on 26 Nov 2027, 6,000,000 messages" in english.body
    assert "/a/acme/capacity/" in english.body
    assert polish.subject == "Acme: prośba o przepustowość „Black Friday”"

    tell_tams(account=world.acme, actor=world.alice, item=peak)  # told again: nothing new is queued
    assert OutboundEmail.objects.filter(kind="planning.peakevent").count() == 2


def test_a_customers_feature_request_emails_the_tams_and_staffs_own_do_not(client, world):
    client.force_login(world.arthur)
    client.post("/a/acme/roadmap/", {"r-title": "Per-stream suppression", "r-description": "For EU", "r-priority": "2"})
    (email,) = OutboundEmail.objects.filter(kind="planning.featurerequest")
    assert email.to == ["tina@tam.test", "tom@tam.test"] and email.account == world.acme
    assert email.subject == "Acme: feature request “Per-stream suppression”"
    assert "Arthur Malinowski (Acme) filed a feature request: “Per-stream suppression”." in email.body

    client.force_login(world.tina)  # the TAM files one for the customer: nobody needs telling
    client.post("/a/acme/roadmap/", {"r-title": "Noted at the review", "r-priority": "2"})
    assert FeatureRequest.objects.filter(account=world.acme).count() == 2
    assert OutboundEmail.objects.filter(kind="planning.featurerequest").count() == 1


def test_another_accounts_request_goes_to_its_own_tam_only(client, world):
    client.force_login(world.bob)
    client.post("/a/globex/roadmap/", {"r-title": "Webhooks", "r-priority": "2"})
    (email,) = OutboundEmail.objects.filter(kind="planning.featurerequest")
    assert email.to == ["tess@tam.test"]
    assert client.post("/a/acme/roadmap/", {"r-title": "Sneaky", "r-priority": "2"}).status_code == 404
