"""The staff page of an inbound email whose raw bytes retention let go (``portal.housekeeping``): it says so,
shows what the row still knows, and offers no empty .eml. MISSION: NC-1 (the email channel's evidence)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.email import ingest
from cases.models import Case, InboundMessage
from portal import housekeeping
from tests.cases import mail_corpus as m


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_an_email_whose_bytes_retention_let_go_says_so_and_offers_no_empty_download(client, world):
    ingest.receive(m.plain(subject="Bounces from Gmail since Monday"))
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.PROCESSED and message.case is not None
    Case.objects.filter(pk=message.case_id).update(status=Case.Status.RESOLVED)
    housekeeping.housekeeping(now=timezone.now() + timedelta(days=91))
    message.refresh_from_db()
    assert bytes(message.raw) == b""
    client.force_login(world.tina)

    page = client.get(f"/console/inbound/{message.pk}/")

    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="raw-gone"' in text and "no longer kept" in text
    assert message.sender and message.sender in text  # who sent it, from the row
    assert "(no text)" not in text and "?raw=1" not in text
    assert client.get(f"/console/inbound/{message.pk}/?raw=1").status_code == 404


def test_an_email_still_whole_shows_its_text_and_downloads(client, world):
    ingest.receive(m.plain(subject="Bounces from Gmail since Monday", body="Since Monday every message bounces."))
    message = InboundMessage.objects.get()
    client.force_login(world.tina)

    text = client.get(f"/console/inbound/{message.pk}/").content.decode()

    assert "every message bounces" in text and 'data-testid="raw-gone"' not in text
    download = client.get(f"/console/inbound/{message.pk}/?raw=1")
    assert download.status_code == 200 and b"Bounces from Gmail" in download.content
