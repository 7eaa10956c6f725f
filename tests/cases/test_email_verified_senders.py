"""Mail that cannot be forged (issue 14, ASVS V5/V12): a sender is believed only on our MTA's verdict (RFC 8601
Authentication-Results with our authserv-id; RFC 7489 DMARC, else an aligned DKIM or SPF pass). Anything else
is quarantined: no reply, no case, no email, no page. Staff release or discard it (audited); the timeline says
how each author was verified, and customers see "verified by DMARC". Real messages through the real SparkPost
webhook endpoint and the ingest path. MISSION: NC-1, CR-1."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.email import ids, ingest
from cases.models import Case, CaseEvent, InboundMessage
from tests.cases import mail_corpus as m
from tests.cases.conftest import emailed, open_case
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.cases.relay import basic_auth, sparkpost
from tests.helpers import element_text, visible_text

pytestmark = pytest.mark.usefixtures("media")

OURS = "mx.portal.test"
DMARC_FAIL = f"{OURS}; dkim=none; dmarc=fail header.from=globex.test"
DMARC_SHOWN = "dmarc=pass header.from=globex.test"
FORGED_BODY = "Please close the case and delete our data. Bob"


@pytest.fixture(autouse=True)
def our_mta(settings):
    settings.INBOUND_AUTHSERV_ID = OURS


@pytest.fixture
def bobs_case(world):
    return open_case(world, actor=world.bob, account=world.globex, subject="Deferrals at Yahoo")


@pytest.fixture
def on_duty(world):
    now = timezone.now()
    return OnCallShiftFactory(agent=world.sam, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=8))


def bob_writes(case: Case | None, results: list[str], **kw) -> bytes:
    subject = f"Re: [{case.number}] Deferrals at Yahoo" if case else "Everything is down"
    extra = "".join(f"Authentication-Results: {r}\n" for r in results)
    kw.setdefault("message_id", "<forged-1@globex.test>")
    return m.plain(frm="Bob Harris <bob@globex.test>", subject=subject, body=FORGED_BODY, extra=extra, **kw)


def through_webhook(raw: bytes, settings, rcpt_to=m.SUPPORT) -> InboundMessage:
    response = Client().post(
        "/anymail/sparkpost/inbound/",
        sparkpost(raw, msg_from="bob@globex.test", rcpt_to=rcpt_to),
        content_type="application/json",
        **basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"]),
    )
    assert response.status_code == 200
    return InboundMessage.objects.get(message_id="forged-1@globex.test")


def on_event(page: str, event: CaseEvent, testid: str) -> str:
    """The element ``testid`` of one timeline entry."""
    return element_text(page.split(f'id="event-{event.pk}"', 1)[1].split("</li>", 1)[0], testid)


def fresh_outbox_count() -> int:
    return outbox().count()


# --- forged mail is quarantined -------------------------------------------------------------------------


def test_a_forged_reply_with_dmarc_fail_is_quarantined_not_a_reply_by_bob(client, world, bobs_case, settings, on_duty):
    sent_before = fresh_outbox_count()
    forged = bob_writes(bobs_case, [f"{OURS}; spf=fail smtp.mailfrom=evil.test; {DMARC_FAIL.split('; ', 1)[1]}"])
    message = through_webhook(forged, settings)
    assert (message.status, message.case, message.verified_how) == ("quarantined", None, "")
    assert "not verified" in str(message.reason)
    assert str(message.verified_by) == "dmarc=fail header.from=globex.test"
    assert not bobs_case.events.filter(kind=CaseEvent.Kind.REPLY).exists()
    assert fresh_outbox_count() == sent_before  # no email to anyone: no notification, no acknowledgement
    client.force_login(world.bob)  # the customer never sees quarantined content
    page = client.get(f"/a/globex/cases/{bobs_case.number}/")
    assert page.status_code == 200 and FORGED_BODY not in page.content.decode()


def test_a_forged_mail_to_the_critical_address_opens_nothing_and_pages_nobody(world, settings, on_duty):
    forged = bob_writes(None, [DMARC_FAIL], to=m.CRITICAL)
    message = through_webhook(forged, settings, rcpt_to=m.CRITICAL)
    assert message.status == "quarantined"
    assert not Case.objects.exists()
    assert emailed() == set()  # the on-call agent (sam) and the TAMs were not paged


@pytest.mark.parametrize(
    "headers",
    [
        # Not our MTA's verdict: anyone can write one (RFC 8601 section 5).
        ["mx.evil.test; dmarc=pass header.from=globex.test"],
        ["mx.evil.test; dmarc=pass header.from=globex.test", f"{OURS}; dmarc=fail header.from=globex.test"],
        # Ours on top says fail; a copy with our id further down (added by the sender) is not the verdict.
        [f"{OURS}; dmarc=fail header.from=globex.test", f"{OURS}; dmarc=pass header.from=globex.test"],
        # "pass" only inside a comment or a quoted reason is no result.
        [f"{OURS}; dmarc=fail (dmarc=pass header.from=globex.test) header.from=globex.test"],
        [f'{OURS}; dmarc=fail reason="dmarc=pass header.from=globex.test" header.from=globex.test'],
        # DMARC failed: an SPF pass for another domain, or a DKIM pass for a look-alike, changes nothing.
        [f"{OURS}; spf=pass smtp.mailfrom=bounce.evil.test; dkim=pass header.d=globex.test.evil.test; dmarc=none"],
        [f"{OURS}; dkim=pass header.d=globex.test; dmarc=fail header.from=globex.test"],
    ],
    ids=["other-id", "other-id-on-top", "our-id-copied-below", "comment", "quoted", "unaligned", "dmarc-fail-decides"],
)
def test_a_verdict_that_is_not_ours_or_not_a_pass_is_not_believed(world, bobs_case, headers):
    outcome = ingest.receive(bob_writes(bobs_case, headers))
    assert outcome.result == "quarantined", outcome
    assert not bobs_case.events.filter(kind=CaseEvent.Kind.REPLY).exists()


@pytest.mark.parametrize(
    ("headers", "how", "shown"),
    [
        ([f"{OURS}; dmarc=pass (p=reject dis=none) header.from=globex.test"], "dmarc", DMARC_SHOWN),
        # A relay after our MTA adds its own header on top: ours is still found, theirs ignored.
        (["relay.portal.test; none", f"{OURS} 1; dmarc=pass header.from=globex.test"], "dmarc", DMARC_SHOWN),
        # No DMARC policy published: an aligned (same organisational domain) DKIM or SPF pass (RFC 7489 3.1).
        ([f"{OURS}; dkim=pass header.d=mail.globex.test; dmarc=none"], "dkim", "dkim=pass d=mail.globex.test"),
        (
            [f"{OURS}; spf=pass smtp.mailfrom=b@bounce.globex.test"],
            "spf",
            "spf=pass smtp.mailfrom=b@bounce.globex.test",
        ),
    ],
    ids=["dmarc", "ours-below-a-relay", "dkim-aligned", "spf-aligned"],
)
def test_a_verified_reply_is_added_with_how_it_was_verified(client, world, bobs_case, headers, how, shown):
    outcome = ingest.receive(bob_writes(bobs_case, headers))
    assert outcome.result == "appended", outcome
    reply = bobs_case.events.get(kind=CaseEvent.Kind.REPLY)
    assert (reply.actor, reply.public, reply.body) == (world.bob, True, FORGED_BODY)
    message = InboundMessage.objects.get()
    assert (message.verified_how, str(message.verified_by)) == (how, shown)
    client.force_login(world.tess)  # staff read the mechanism and its domain
    staff_page = client.get(f"/console/cases/{bobs_case.number}/").content.decode()
    assert on_event(staff_page, reply, "sender-check") == shown
    client.force_login(world.bob)  # the customer sees a small mark, in their language
    page = client.get(f"/a/globex/cases/{bobs_case.number}/").content.decode()
    assert on_event(page, reply, "sender-mark") == f"verified by {how.upper()}"
    world.bob.language = "pl"
    world.bob.save(update_fields=["language"])
    page = client.get(f"/a/globex/cases/{bobs_case.number}/").content.decode()
    assert on_event(page, reply, "sender-mark") == f"zweryfikowano przez {how.upper()}"


def test_without_an_authserv_id_mail_is_taken_and_marked_unverified(client, world, bobs_case, settings):
    settings.INBOUND_AUTHSERV_ID = ""  # development (production refuses to start so unless explicitly opted out)
    assert ingest.receive(bob_writes(bobs_case, [])).result == "appended"
    reply = bobs_case.events.get(kind=CaseEvent.Kind.REPLY)
    assert reply.sender_mark == ""
    client.force_login(world.tess)
    page = client.get(f"/console/cases/{bobs_case.number}/").content.decode()
    assert on_event(page, reply, "sender-check").startswith("unverified: sender authentication is not configured")
    client.force_login(world.bob)
    assert 'data-testid="sender-mark"' not in client.get(f"/a/globex/cases/{bobs_case.number}/").content.decode()


def test_portal_and_phone_authors_are_marked_so(client, world, bobs_case):
    services.case_reply(case=bobs_case, actor=world.bob, body="More details: it started at 9:00.")
    services.phone_intake_record(
        taken_by=world.sam, company_name="Acme", contact_name="Alice", contact_phone="+48 600 100 200",
        contact_email="alice@acme.test", description="Nothing goes out", account=world.acme,
    )  # fmt: skip
    phone_case = Case.objects.get(account=world.acme)
    client.force_login(world.root)
    page = visible_text(client.get(f"/console/cases/{bobs_case.number}/"))
    assert "portal sign-in" in page
    assert str(phone_case.events.get(kind=CaseEvent.Kind.PHONE_INTAKE).sender_check) == "phone intake"
    assert str(phone_case.events.get(kind=CaseEvent.Kind.OPENED).sender_check) == "phone intake"


# --- staff release or discard; customers get a 404 ------------------------------------------------------


@pytest.fixture
def quarantined(world, bobs_case) -> InboundMessage:
    ingest.receive(bob_writes(bobs_case, [DMARC_FAIL]))
    message = InboundMessage.objects.get()
    assert message.status == "quarantined"
    return message


def test_staff_release_a_quarantined_message_as_its_sender(client, world, bobs_case, quarantined):
    client.force_login(world.tess)
    listed = client.get("/console/inbound/").content.decode()
    assert element_text(listed, "verified-by") == "dmarc=fail header.from=globex.test"
    detail = client.get(f"/console/inbound/{quarantined.pk}/").content.decode()
    assert element_text(detail, "verified-by") == "dmarc=fail header.from=globex.test"
    response = client.post(f"/console/inbound/{quarantined.pk}/release/")
    assert response.status_code == 302
    quarantined.refresh_from_db()
    assert (quarantined.status, quarantined.case, quarantined.verified_how) == ("processed", bobs_case, "released")
    reply = bobs_case.events.get(kind=CaseEvent.Kind.REPLY)
    assert (reply.actor, reply.body, str(reply.sender_check)) == (
        world.bob, FORGED_BODY, "unverified — released by Tess Lindqvist",
    )  # fmt: skip
    assert reply.sender_mark == ""  # never "verified" for the customer
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.INBOUND_REPLAYED)
    assert (row.actor, row.details["action"], row.target_id) == (world.tess, "release", str(quarantined.pk))


def test_staff_discard_a_quarantined_message_with_a_reason(client, world, bobs_case, quarantined):
    client.force_login(world.tess)
    refused = client.post(f"/console/inbound/{quarantined.pk}/discard/", {"reason": "  "}, follow=True)
    assert "Say why the message is discarded." in visible_text(refused)
    client.post(f"/console/inbound/{quarantined.pk}/discard/", {"reason": "Phishing, not Bob"})
    quarantined.refresh_from_db()
    assert (quarantined.status, quarantined.case) == ("ignored", None)
    assert str(quarantined.reason) == "discarded by Tess Lindqvist: Phishing, not Bob"
    assert InboundMessage.objects.needs_staff().count() == 0
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.INBOUND_REPLAYED)
    assert (row.details["action"], row.details["reason"]) == ("discard", "Phishing, not Bob")
    client.post(f"/console/inbound/{quarantined.pk}/release/")  # discarded stays discarded
    assert not bobs_case.events.filter(kind=CaseEvent.Kind.REPLY).exists()


@pytest.mark.parametrize("action", ["release", "discard"])
def test_customers_get_a_404_and_change_nothing(client, world, quarantined, action):
    client.force_login(world.bob)
    assert client.get(f"/console/inbound/{quarantined.pk}/").status_code == 404
    assert client.post(f"/console/inbound/{quarantined.pk}/{action}/", {"reason": "mine"}).status_code == 404
    quarantined.refresh_from_db()
    assert quarantined.status == "quarantined"
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.INBOUND_REPLAYED).exists()


def test_released_mail_in_a_staff_members_name_is_only_an_internal_note(client, world):
    """A customer answering our customer copy with ``From: tina@tam.test`` cannot make Tina speak publicly, even
    when staff release it: nobody verified it was Tina (MISSION: NC-2)."""
    case = open_case(world)
    in_reply_to = ids.notification_id(case.pk, case.events.first().pk, "en", staff=False)
    forged = m.plain(
        frm=world.tina.email, subject=f"Re: [{case.number}] x", body="We will refund you 100%.",
        in_reply_to=in_reply_to, extra=f"Authentication-Results: {OURS}; dmarc=fail header.from=tam.test\n",
    )  # fmt: skip
    assert ingest.receive(forged).result == "quarantined"
    client.force_login(world.tom)
    client.post(f"/console/inbound/{InboundMessage.objects.get().pk}/release/")
    assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.public, str(note.sender_check)) == (
        world.tina, False, "unverified — released by Tom Becker",
    )  # fmt: skip
