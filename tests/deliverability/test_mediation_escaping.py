"""Whatever a customer types into the mediation form reaches the TAM's console as text, never as markup, and
reaches the mailbox provider verbatim: Message-IDs and addresses in angle brackets included.
MISSION: DLV-3 (the TAM mediates with the provider on the customer's behalf, with the customer's own words)."""

from datetime import date

import pytest

from accounts.models import OutboundEmail
from deliverability import services
from deliverability.mediation import services as mediation
from deliverability.models import MediationRequest
from tests.helpers import ADDRESS, IMG, MESSAGE_ID, SCRIPT, assert_no_live_markup, element_text
from tests.planning.factories import DailyActualFactory, WarmupPlanFactory

pytestmark = pytest.mark.django_db

MARKED_UP = {
    "provider": "other",
    "provider_name": f"{SCRIPT} Mail",
    "domains": ["acme.example"],
    "bounce_text": f"550 5.7.1 Message {MESSAGE_ID} rejected: {SCRIPT}",
    "first_seen": "2026-11-20",
    "daily_volume": "5000",
    "affected_percent": "40",
    "sample_headers": f"Message-ID: {MESSAGE_ID}\nFrom: {ADDRESS}\nX-Campaign: {IMG}",
    "recent_changes": f"A new list {IMG} & a template with {SCRIPT}",
}
SCRIPT_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def submitted(client, world, frozen):
    """Acme's member files the marked-up request and submits it; a warm-up plan with a marked-up name is on
    hold, so the name reaches the preconditions too."""
    frozen("2026-11-24 10:00")  # the plan started yesterday on Acme's calendar; the trouble began on the 20th
    services.targets_add(account=world.acme, actor=None, text="acme.example", role="from")
    plan = WarmupPlanFactory(account=world.acme, name=f"Pool {SCRIPT}", start_date=date(2026, 11, 23))
    DailyActualFactory(plan=plan, provider="gmail", sent=1000, delivered=900, deferrals=100)
    client.force_login(world.arthur)
    client.post("/a/acme/mediation/new/", MARKED_UP)
    item = MediationRequest.objects.get()
    client.post(f"/a/acme/mediation/{item.pk}/submit/", {"acknowledge": "on"})
    item.refresh_from_db()
    assert item.status == "submitted", item.status
    return item


def test_the_tam_sees_every_field_literally_and_copies_it_verbatim(client, world, submitted):
    client.force_login(world.tina)
    page = client.get(f"/console/mediation/{submitted.pk}/").content.decode()

    assert_no_live_markup(page)
    assert f"<h1>Acme · {SCRIPT_ESCAPED} Mail</h1>" in page
    assert f"550 5.7.1 Message &lt;CAF=abc@mail.example&gt; rejected: {SCRIPT_ESCAPED}" in page
    text = mediation.provider_text(submitted)
    assert element_text(page, "provider-text") == text  # what the TAM selects and sends is the text itself
    assert f"Hello {SCRIPT} Mail postmaster team," in text
    assert f"Error returned: 550 5.7.1 Message {MESSAGE_ID} rejected: {SCRIPT}" in text
    assert f"Sample headers:\nMessage-ID: {MESSAGE_ID}\nFrom: {ADDRESS}\nX-Campaign: {IMG}\n" in text
    assert f"Recent changes: A new list {IMG} & a template with {SCRIPT}" in text
    assert "Pool" not in text  # issue 16: the open recommendations stay between the customer and the TAM
    assert "Contact: Tina Nowak <tina@tam.test>" in text


def test_the_customer_sees_their_own_words_literally(client, world, submitted):
    client.force_login(world.arthur)
    page = client.get(f"/a/acme/mediation/{submitted.pk}/").content.decode()
    assert_no_live_markup(page)
    assert f"Mediation with {SCRIPT_ESCAPED} Mail" in page
    assert f"A new list &lt;img src=x onerror=alert(1)&gt; &amp; a template with {SCRIPT_ESCAPED}" in page
    listing = client.get("/a/acme/mediation/").content.decode()
    assert_no_live_markup(listing)
    assert f"{SCRIPT_ESCAPED} Mail</a>" in listing


def test_the_tams_answer_with_markup_stays_text_on_both_pages_and_in_the_mail(client, world, submitted):
    client.force_login(world.tina)
    listing = client.get("/console/mediation/").content.decode()
    assert_no_live_markup(listing)
    assert f"{SCRIPT_ESCAPED} Mail</a>" in listing
    answer = f"Ticket {MESSAGE_ID}: limits lifted {SCRIPT}"
    client.post(f"/console/mediation/{submitted.pk}/", {"status": "responded", "response": answer, "note": IMG})

    pages = ((world.tina, f"/console/mediation/{submitted.pk}/"), (world.arthur, submitted.get_absolute_url()))
    for user, url in pages:
        client.force_login(user)
        page = client.get(url).content.decode()
        assert_no_live_markup(page)
        assert f"Ticket &lt;CAF=abc@mail.example&gt;: limits lifted {SCRIPT_ESCAPED}" in page
        assert "— &lt;img src=x onerror=alert(1)&gt;</li>" in page  # the note, in the history

    told = OutboundEmail.objects.get(kind="mediation.responded")
    assert told.subject == f"Your mediation request with {SCRIPT} Mail: Provider responded"
    assert f"Provider's response: {answer}\n" in told.body
    assert told.html_body == ""  # text/plain only: nothing for a mail client to run


def test_the_tams_are_told_in_plain_text_with_the_customers_words_verbatim(submitted):
    mails = OutboundEmail.objects.filter(kind="mediation.submitted")
    assert sorted(address for mail in mails for address in mail.to) == ["tina@tam.test", "tom@tam.test"]
    for mail in mails:
        assert mail.subject == f"[Acme] New mediation request: {SCRIPT} Mail"
        assert f"Acme asks for Tier 1 mediation with {SCRIPT} Mail." in mail.body
        assert f"Error returned: 550 5.7.1 Message {MESSAGE_ID} rejected: {SCRIPT}\n" in mail.body
        assert f"- Pool {SCRIPT}: Gmail" in mail.body
        assert mail.html_body == ""
