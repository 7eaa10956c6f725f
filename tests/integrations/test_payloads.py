"""Slack and Microsoft Teams receive a message a person reads, in the destination's language with times in its
zone (named), shaped as their incoming webhooks document: Slack ``text`` + Block Kit ``blocks``; Teams a
``message`` with one Adaptive Card attachment. Sent to a loopback server, unsigned (the URL is the secret)."""

from datetime import UTC, datetime

import pytest
from django.db import transaction

from integrations import delivery
from integrations.events import emit
from integrations.models import Destination
from tests.integrations.factories import DestinationFactory

pytestmark = pytest.mark.django_db(transaction=True)
AT = datetime(2026, 5, 11, 8, 30, tzinfo=UTC)
SLACK_BLOCK_TYPES = {"section", "context", "divider", "header", "actions", "image"}  # Block Kit layout blocks


def send(world, receiver, *, kind, language="en", zone="Europe/Warsaw", type="blocklist.listed", data=None):  # noqa: A002
    DestinationFactory(account=world.acme, kind=kind, url=f"{receiver.url}/{kind}", language=language,
                       timezone=zone, event_types=[type])  # fmt: skip
    data = data or {
        "target": "192.0.2.7",
        "list": "Spamhaus <SBL> & co",
        "at": AT,
        "url": "https://portal.test/a/acme/",
    }
    with transaction.atomic():
        emit(account=world.acme, type=type, data=data)
    delivery.drain()
    (request,) = receiver.requests
    assert "X-Portal-Signature" not in request["headers"]
    return receiver.events()[0]


def test_slack_gets_text_and_blocks(world, receiver):
    message = send(world, receiver, kind=Destination.Kind.SLACK)
    assert set(message) == {"text", "blocks"}
    assert message["text"] == "192.0.2.7 is listed on Spamhaus &lt;SBL&gt; &amp; co"  # Slack's three escapes
    assert {b["type"] for b in message["blocks"]} <= SLACK_BLOCK_TYPES
    section, context = message["blocks"]
    assert section["text"]["type"] == "mrkdwn"
    assert "<https://portal.test/a/acme/|Open in the portal>" in section["text"]["text"]
    assert context["elements"][0]["type"] == "mrkdwn"
    assert "10:30" in context["elements"][0]["text"] and "(Europe/Warsaw)" in context["elements"][0]["text"]


def test_teams_gets_an_adaptive_card(world, receiver):
    message = send(world, receiver, kind=Destination.Kind.TEAMS, zone="America/New_York")
    assert message["type"] == "message"
    (attachment,) = message["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert all(block["type"] == "TextBlock" and block["text"] for block in card["body"])
    assert card["body"][0]["text"] == "192.0.2.7 is listed on Spamhaus <SBL> & co"
    assert "04:30" in card["body"][1]["text"] and "(America/New_York)" in card["body"][1]["text"]
    assert card["actions"] == [
        {"type": "Action.OpenUrl", "title": "Open in the portal", "url": "https://portal.test/a/acme/"}
    ]


def test_a_polish_destination_reads_polish(world, receiver):
    message = send(world, receiver, kind=Destination.Kind.SLACK, language="pl")
    assert message["text"] == "192.0.2.7 jest na liście Spamhaus &lt;SBL&gt; &amp; co"
    assert "Otwórz w portalu" in message["blocks"][0]["text"]["text"]


def test_a_status_label_is_translated_for_the_destination(world, receiver):
    from cases.models import Case

    data = {"number": "ACME-000001", "subject": "Bounces", "status": Case.Status.IN_PROGRESS.label}
    message = send(world, receiver, kind=Destination.Kind.SLACK, language="pl", type="case.updated", data=data)
    assert message["text"] == "Zgłoszenie ACME-000001 ma teraz status „W toku”: Bounces"
