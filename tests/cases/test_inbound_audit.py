"""Replaying a failed inbound message, or routing a quarantined one by hand, is a staff decision recorded in
the audit trail (``cases.services.inbound_replay`` / ``inbound_assign``)."""

import pytest

from accounts.models import AuditEvent
from cases.email import ingest
from cases.models import InboundMessage
from tests.cases import mail_corpus as m


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_replay_is_audited_once_and_a_replay_of_a_processed_message_not_at_all(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("storage offline")

    monkeypatch.setattr(ingest, "_route", broken)
    ingest.receive(m.plain(subject="Nothing goes out"))
    monkeypatch.undo()
    message = InboundMessage.objects.get()
    client.force_login(world.tina)
    client.post(f"/console/inbound/{message.pk}/replay/")
    client.post(f"/console/inbound/{message.pk}/replay/")  # processed now: nothing to replay
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor, event.target_id) == (AuditEvent.Kind.INBOUND_REPLAYED, world.tina, str(message.pk))
    assert event.details == {"action": "replay", "before": "failed"}


def test_routing_a_quarantined_message_by_hand_is_audited_on_the_chosen_account(client, world):
    ingest.receive(m.plain(frm="eve@stranger.test"))
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.QUARANTINED
    client.force_login(world.tina)
    client.post(f"/console/inbound/{message.pk}/assign/", {"account": "acme"})
    event = AuditEvent.objects.get()
    assert (event.kind, event.account, event.details["action"]) == (
        AuditEvent.Kind.INBOUND_REPLAYED,
        world.acme,
        "assign",
    )
