"""Blocklist meanings and errors are written by a worker and read in the reader's language (STYLE: text
made in the background). Rows are written while English is active; a Polish customer reads them."""

import pytest
from django.utils import translation

from core.text import Msg, Text, to_json
from deliverability.blocklists import dnsbl, probes
from deliverability.models import ListingEvent, ListingStatus, Sweep
from tests.deliverability.factories import ListingEventFactory, ListingStatusFactory, MonitoredTargetFactory, catalogue

pytestmark = pytest.mark.django_db


def _polish_page(client, world, path: str) -> str:
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_listing_and_an_error_written_in_english_are_read_in_polish(client, world):
    zen_spec = catalogue("zen.spamhaus.org").spec()
    target = MonitoredTargetFactory(account=world.acme, value="192.0.2.10")
    other = MonitoredTargetFactory(account=world.acme, value="192.0.2.11")
    with translation.override("en"):
        listed = dnsbl.decode(zen_spec, dnsbl.Answer(rcode=0, addresses=("127.0.0.3", "127.0.0.4")))
        error = dnsbl.decode(zen_spec, dnsbl.Answer(failure="timeout"))
        ListingStatusFactory(target=target, codes=list(listed.codes), meaning=listed.meaning)
        ListingStatusFactory(target=other, result="error", listed=None, codes=[], meaning=error.meaning)
        ListingEventFactory(target=target, codes=list(listed.codes), meaning=listed.meaning)

    stored = ListingStatus.objects.get(target=target)
    assert isinstance(stored.meaning, Text) and stored.meaning == listed.meaning  # id + arguments, not a sentence
    assert str(stored.meaning).startswith("CSS: snowshoe spam")  # and English to an English reader

    page = _polish_page(client, world, "/a/acme/deliverability/")
    assert "CSS: spam typu snowshoe / wysyłka o niskiej reputacji; XBL: przejęty host" in page
    assert "Brak odpowiedzi (timeout)." in page
    assert "snowshoe spam / low-reputation" not in page
    history = _polish_page(client, world, "/a/acme/deliverability/history/")
    assert "CSS: spam typu snowshoe" in history


def test_a_row_stored_before_messages_as_english_text_is_still_translated(client, world):
    """The compatibility path: older rows hold the catalogue's English meaning, itself a msgid."""
    target = MonitoredTargetFactory(account=world.acme)
    status = ListingStatusFactory(target=target)
    ListingStatus.objects.filter(pk=status.pk).update(meaning="SBL: Spamhaus Block List (spam source)")
    ListingEvent.objects.create(
        account=world.acme, target=target, blocklist=status.blocklist, kind="listed", at=status.checked_at
    )
    ListingEvent.objects.update(meaning="Something a staff member typed in the catalogue")

    assert ListingStatus.objects.get(pk=status.pk).meaning == Msg("SBL: Spamhaus Block List (spam source)")
    page = _polish_page(client, world, "/a/acme/deliverability/")
    assert "SBL: Spamhaus Block List (źródło spamu)" in page
    assert "Something a staff member typed in the catalogue" in page  # not a msgid: shown as it is


def test_a_failed_health_check_is_stored_as_a_message_and_read_in_polish(client, world, zen_spec):
    with translation.override("en"):
        health = probes.health(zen_spec, dnsbl.Answer(failure="timeout"), dnsbl.Answer(failure="timeout"))

    Sweep.objects.create(account=world.acme, status="done", zone_health={"zen.spamhaus.org": to_json(health.problem)})
    assert Sweep.objects.get().zone_health["zen.spamhaus.org"]["msg"][0] == "No answer from the resolver (%(why)s)."
    with translation.override("pl"):
        assert str(Sweep.objects.get().failed_zones["zen.spamhaus.org"]).startswith(
            "Brak odpowiedzi od resolvera DNS (timeout)"
        )
