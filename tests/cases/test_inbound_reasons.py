"""What became of an inbound email (``InboundMessage.reason``), why it waits for a person (``attention``) and
the reopening of a case by email are written by a worker in whatever language is active, stored as core.text
messages, and read by staff in their own language (STYLE: text made in the background). Rows written before
hold English sentences and still show."""

import importlib

import pytest
from django.apps import apps
from django.utils import translation

from cases import services
from cases.email import ingest, recovery
from cases.models import Case, CaseEvent, InboundMessage
from core.text import Msg
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case
from tests.helpers import text

pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py

# (name, the message, what a Polish reader sees, what an English reader sees)
ROUTES = [
    ("new case", lambda w: m.plain(), "nowe zgłoszenie", "new case"),
    ("unknown", lambda w: m.plain(frm="eve@stranger.test"), "nieznany nadawca eve@stranger.test", "unknown sender"),
    ("no From", lambda w: m.without_from(), "brak adresu From", "no From address"),
    ("two From", lambda w: m.two_froms(), "kilka adresów From: ", "several From addresses: "),
    ("staff", lambda w: m.plain(frm=w.tina.email), "poczta od personelu bez odwołania", "mail from staff without"),
    ("too large", lambda w: m.enormous(80_000), "za duża: ", "too large: "),
    ("vacation", lambda w: m.gmail_vacation(), "odpowiedź automatyczna (nieobecność lub urlop): ", "automatic reply"),
    ("bounce", lambda w: m.dsn_bounce(), "raport o doręczeniu, który nie dotyczy naszej poczty", "delivery status"),
]


def polish_page(client, user, path: str) -> str:
    user.language = "pl"
    user.save(update_fields=["language"])
    client.force_login(user)
    return text(client.get(path))


@pytest.mark.parametrize(("build", "polish", "english"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_a_polish_tam_reads_each_reason_in_polish(client, world, settings, build, polish, english):
    settings.INBOUND_MAX_BYTES = 64_000
    with translation.override("en"):
        outcome = ingest.receive(build(world))
    message = InboundMessage.objects.get()
    assert isinstance(message.reason, Msg) and str(message.reason).startswith(english)
    assert str(outcome.reason) == str(message.reason)
    # Stored as a message id and arguments, not as the sentence: a second, English copy would fail here.
    assert InboundMessage.objects.filter(reason__startswith='{"msg": ').count() == 1
    assert polish in polish_page(client, world.tina, "/console/inbound/?show=all")
    assert polish in text(client.get(f"/console/inbound/{message.pk}/"))


def test_the_machine_made_signs_are_polish_too(world):
    with translation.override("en"):
        ingest.receive(m.plain(extra="Auto-Submitted: auto-replied\nX-Autoreply: yes\n"))
    with translation.override("pl"):
        assert str(InboundMessage.objects.get().reason) == (
            "odpowiedź automatyczna (nieobecność lub urlop): Auto-Submitted: auto-replied; nagłówek x-autoreply"
        )


def test_rows_written_before_keep_their_english_sentence(client, world):
    """Plain English text in the column still shows; a fixed sentence that is a msgid now reads in Polish."""
    with translation.override("en"):
        ingest.receive(m.plain(frm="eve@stranger.test"))
        ingest.receive(m.plain(message_id="<second@acme.test>"))
    unknown, created = InboundMessage.objects.order_by("id")
    InboundMessage.objects.filter(pk=unknown.pk).update(reason="unknown sender eve@stranger.test")
    InboundMessage.objects.filter(pk=created.pk).update(reason="new case")
    assert InboundMessage.objects.filter(reason__startswith="{").count() == 0
    assert "unknown sender eve@stranger.test" in polish_page(client, world.tina, f"/console/inbound/{unknown.pk}/")
    assert "nowe zgłoszenie" in text(client.get(f"/console/inbound/{created.pk}/"))
    assert "unknown sender eve@stranger.test" in text(client.get("/console/inbound/?show=all"))


def test_attention_written_in_the_old_shape_reads_in_polish_after_the_migration(world):
    ingest.receive(m.plain())
    old = {"msgid": recovery.GAVE_UP.msgid, "args": {"attempts": 3}}
    InboundMessage.objects.update(status="failed", attention=old)
    migration = importlib.import_module("cases.migrations.0008_inbound_reason_message")
    migration.attention_to_messages(apps, None)
    message = InboundMessage.objects.get()
    assert message.attention == {"msg": [recovery.GAVE_UP.msgid, {"attempts": 3}]}
    with translation.override("pl"):
        assert message.attention_text.startswith("Przetwarzanie rozpoczęto 3 razy")
    migration.messages_to_attention(apps, None)
    assert InboundMessage.objects.get().attention == old


def test_a_case_reopened_by_email_says_so_in_the_readers_language(client, world):
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed the relay.")
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)
    with translation.override("en"):
        assert ingest.receive(m.gmail_reply()).result == "appended"
    reopened = case.events.get(kind=CaseEvent.Kind.REOPENED)
    assert reopened.body == "" and str(reopened.text) == f"Reply by email from {world.alice.email}"
    page = polish_page(client, world.tina, f"/console/cases/{case.number}/")
    assert f"Odpowiedź e-mailem od {world.alice.email}" in page


def test_a_replay_answers_the_polish_tam_in_polish(client, world):
    with translation.override("en"):
        ingest.receive(m.plain(frm="eve@stranger.test"))
    message = InboundMessage.objects.get()
    polish_page(client, world.tina, "/console/")
    page = text(client.post(f"/console/inbound/{message.pk}/replay/", follow=True))
    assert "nieznany nadawca eve@stranger.test" in page
