"""Inbound email to cases (cases.email.ingest): every corpus message gets a clear outcome and loses
nothing; the sender decides the account and a reference never crosses tenants; duplicates, failures and
replays; reopening; the critical address; no automatic answer to a machine; outbound thread headers."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.outbox import outbox_drain
from cases import services
from cases.email import ids, ingest
from cases.models import Case, CaseEvent, InboundMessage
from tests.accounts.factories import ContactFactory
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case
from tests.cases.outbox import outbox

STATUS_OF = {"created": "processed", "appended": "processed", "ignored": "ignored", "quarantined": "quarantined"}


pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py


@pytest.fixture
def case(world):
    """ACME-000001, opened by Alice in the portal; the corpus's replies name it."""
    return open_case(world)


def stored(raw: bytes) -> InboundMessage:
    return InboundMessage.objects.get(fingerprint=ingest.fingerprint(raw))


def sent_to(address: str) -> list[OutboundEmail]:
    return [o for o in outbox().order_by("id") if address in o.to]


def resolve(case: Case, world) -> Case:
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed the relay.")
    return services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)


def our_reply_id(case: Case) -> str:
    return ids.message_id(case.pk, "e3-en-c")


ROUTES = [
    ("gmail", lambda c: m.gmail_reply(), "appended", "ACME-000001", "reply added"),
    ("outlook", lambda c: m.outlook_reply(), "appended", "ACME-000001", "reply added"),
    ("apple-mail", lambda c: m.apple_mail(), "appended", "ACME-000001", "reply added"),
    ("thunderbird", lambda c: m.thunderbird_flowed(), "appended", "ACME-000001", "reply added"),
    ("iphone", lambda c: m.iphone(), "appended", "ACME-000001", "reply added"),
    ("android", lambda c: m.android_gmail(), "appended", "ACME-000001", "reply added"),
    (
        "reply-by-message-id",
        lambda c: m.plain(subject="Re: x", in_reply_to=our_reply_id(c)),
        "appended",
        "ACME-000001",
        "",
    ),
    ("forwarded", lambda c: m.forwarded(), "created", "ACME-000002", "new case"),
    # issue 15: an out-of-office on a case is kept there for staff; one that answers no case is quarantined
    ("outlook-oof", lambda c: m.outlook_oof(in_reply_to=our_reply_id(c)), "appended", "ACME-000001", "machine-made"),
    ("gmail-vacation", lambda c: m.gmail_vacation(), "appended", "ACME-000001", "machine-made"),  # its subject token
    ("dsn-ours", lambda c: m.dsn_bounce(original_message_id=our_reply_id(c)), "ignored", "ACME-000001", "bounce"),
    ("dsn-other", lambda c: m.dsn_bounce(), "ignored", None, "not about our mail"),
    ("our-own-loop", lambda c: m.plain(message_id=ids.message_id(c.pk, "e9-en-c")), "ignored", None, "loop"),
    ("polish-cp1250", lambda c: m.polish_cp1250(), "created", "ACME-000002", "new case"),
    ("polish-latin2", lambda c: m.polish_latin2(), "created", "ACME-000002", "new case"),
    ("polish-mislabelled", lambda c: m.polish_mislabelled(), "created", "ACME-000002", "new case"),
    ("polish-raw-header", lambda c: m.polish_raw_header(), "created", "ACME-000002", "new case"),
    *[
        (f"broken-{k}", lambda c, k=k: m.broken_subject(k), "appended" if "ACME" in s else "created", None, "")
        for k, s in m.BROKEN_SUBJECTS.items()
    ],
    ("no-from", lambda c: m.without_from(), "quarantined", None, "no From address"),
    ("two-froms", lambda c: m.two_froms(), "quarantined", None, "several From addresses"),
    *[(f"crlf-{k}", lambda c, k=k: m.crlf_injection(k), "created", "ACME-000002", "") for k in m.CRLF_SUBJECTS],
    ("enormous", lambda c: m.enormous(100_000), "quarantined", None, "too large"),
    ("garbage", lambda c: m.garbage(), "quarantined", None, "no From address"),
    ("empty", lambda c: b"", "quarantined", None, ""),
    ("html-only", lambda c: m.html_only(), "created", "ACME-000002", "new case"),
]


@pytest.mark.parametrize(("build", "result", "number", "reason"), [r[1:] for r in ROUTES], ids=[r[0] for r in ROUTES])
def test_every_corpus_message_has_a_clear_outcome_and_is_kept_whole(case, settings, build, result, number, reason):
    settings.INBOUND_MAX_BYTES = 64_000
    raw = build(case)
    outcome = ingest.receive(raw)
    assert outcome.result == result, outcome
    assert reason in str(outcome.reason)
    if number:
        assert outcome.case == number
    message = stored(raw)
    assert bytes(message.raw) == raw and message.size == len(raw)
    assert (message.status, message.result) == (STATUS_OF[result], result)
    assert (message.case.number if message.case else None) == outcome.case


def test_a_reply_lands_on_the_case_as_written_with_the_quote_kept_apart(world, case):
    ingest.receive(m.gmail_reply())
    reply = case.events.get(kind=CaseEvent.Kind.REPLY)
    assert reply.actor == world.alice and reply.public
    assert reply.body == "Hi,\n\nthe bounces stopped at 11:20 but started again at 11:45.\n\nThanks,\nAlice"
    assert reply.details["quoted"].startswith("On Tue, 24 Nov 2026 at 09:58, Acme Support")


def test_polish_mail_opens_a_readable_case(world):
    outcome = ingest.receive(m.polish_mislabelled(label="iso-8859-2"))
    case = Case.objects.get(number=outcome.case)
    assert (case.subject, case.description) == ("Błąd 421 przy wysyłce do Onetu", m.POLISH)
    assert (case.account, case.reporter, case.channel) == (world.acme, world.alice, Case.Channel.EMAIL)


def test_html_only_mail_opens_a_case_with_no_script_and_the_page_escapes_the_subject(client, world):
    case = Case.objects.get(number=ingest.receive(m.html_only()).case)
    assert "Our DKIM check fails & mail goes to spam." in case.description
    assert not any(bad in case.description for bad in ("alert(", "document.cookie", "<"))
    client.force_login(world.alice)
    page = client.get(case.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "DKIM check fails &lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize("kind", sorted(m.CRLF_SUBJECTS))
def test_a_line_break_smuggled_into_the_subject_adds_no_header_to_our_mail(world, case, kind):
    outcome = ingest.receive(m.crlf_injection(kind))
    new = Case.objects.get(number=outcome.case)
    assert new.subject == "Invoice question Bcc: x@evil.test"
    assert outbox().exists()
    assert not any("\r" in o.subject or "\n" in o.subject for o in outbox().all())
    outbox_drain()
    assert mail.outbox
    for sent in mail.outbox:
        assert "x@evil.test" not in sent.recipients()
        assert b"\nBcc:" not in sent.message().as_bytes()


def test_a_line_break_in_the_from_name_gives_the_named_address_nothing(world, case):
    outcome = ingest.receive(m.crlf_injection("quoted-printable", in_from=True))
    assert outcome.result in ("created", "quarantined")
    outbox_drain()
    assert sent_to("y@evil.test") == []
    assert all("y@evil.test" not in s.recipients() for s in mail.outbox)


# --- the sender decides the account ---------------------------------------------------------------------


def test_an_unknown_sender_is_quarantined_and_never_answered(world):
    outcome = ingest.receive(m.plain(frm="Eve <eve@stranger.test>"))
    assert (outcome.result, str(outcome.reason)) == ("quarantined", "unknown sender eve@stranger.test")
    assert not Case.objects.exists()
    assert sent_to("eve@stranger.test") == []


def test_a_contact_without_a_login_opens_a_case_of_their_account(world):
    ContactFactory(account=world.acme, email="noc@acme.test")
    case = Case.objects.get(number=ingest.receive(m.plain(frm="NOC <noc@acme.test>")).case)
    assert (case.account, case.reporter, case.contact_email) == (world.acme, None, "noc@acme.test")


def test_a_contact_of_two_accounts_is_quarantined_unless_the_address_settles_it(world):
    ContactFactory(account=world.acme, email="consultant@partner.test")
    ContactFactory(account=world.globex, email="consultant@partner.test")
    first = ingest.receive(m.plain(frm="consultant@partner.test", to="help@portal.test"))
    assert first.result == "quarantined" and "several accounts" in str(first.reason)
    second = ingest.receive(m.plain(frm="consultant@partner.test", to=world.globex.support_email, message_id="<2@p>"))
    assert Case.objects.get(number=second.case).account == world.globex
    assert sent_to("consultant@partner.test") and not Case.objects.filter(account=world.acme).exists()


def test_staff_writing_without_a_case_reference_is_quarantined(world):
    assert str(ingest.receive(m.plain(frm=world.tina.email)).reason) == "mail from staff without a case reference"


def test_the_accounts_tam_may_write_to_a_case_by_email_another_tam_may_not(world, case):
    # A subject token alone does not show she answers the customer: an internal note (issue 12; see
    # test_email_staff_replies.py for replies in the customer's thread).
    assert ingest.receive(m.plain(frm=world.tina.email, subject=f"Re: [{case.number}] x")).result == "appended"
    note = case.events.get(kind=CaseEvent.Kind.NOTE)
    assert (note.actor, note.public) == (world.tina, False)
    tess = ingest.receive(m.plain(frm=world.tess.email, subject=f"Re: [{case.number}] x", message_id="<t@x>"))
    assert tess.result == "quarantined"
    assert case.events.filter(actor=world.tess).count() == 0


def test_bob_writing_to_acmes_address_opens_a_globex_case(world, case):
    outcome = ingest.receive(m.plain(frm=world.bob.email, to=world.acme.support_email, subject="Our bounces"))
    assert Case.objects.get(number=outcome.case).account == world.globex


# --- with INBOUND_AUTHSERV_ID set, a From address is believed only with our MTA's DMARC/DKIM pass ------


@pytest.mark.parametrize(
    ("results", "believed"),
    [
        ("mx.portal.test; spf=pass smtp.mailfrom=acme.test; dmarc=pass (p=reject) header.from=acme.test", True),
        ("mx.portal.test; dkim=pass (2048-bit key) header.d=acme.test header.s=google; dmarc=none", True),
        ("mx.portal.test; dkim=pass header.i=@acme.test; dmarc=none", True),
        ("mx.portal.test; spf=pass smtp.mailfrom=acme.test; dkim=none; dmarc=fail header.from=acme.test", False),
        ("mx.evil.test; dmarc=pass header.from=acme.test", False),  # not our MTA's verdict
        (None, False),
        ("mx.portal.test; dmarc=pass header.from=other.test", False),
        # Look-alike domains the attacker owns: passing for them says nothing about acme.test.
        ("mx.portal.test; dkim=pass header.d=acme.test.evil.test; dmarc=fail header.from=acme.test", False),
        ("mx.portal.test; dkim=pass header.i=@acme.test.evil.test; dmarc=fail header.from=acme.test", False),
        ("mx.portal.test; dmarc=pass header.from=acme.test-evil.test", False),
    ],
    ids=[
        "dmarc",
        "dkim-d",
        "dkim-i",
        "fail",
        "other-mta",
        "none",
        "other-domain",
        "dkim-d-lookalike",
        "dkim-i-lookalike",
        "dmarc-lookalike",
    ],
)
def test_the_sender_must_be_verified_by_our_mta_when_configured(world, case, settings, results, believed):
    settings.INBOUND_AUTHSERV_ID = "mx.portal.test"
    extra = f"Authentication-Results: {results}\n" if results else ""
    outcome = ingest.receive(m.plain(subject=f"Re: [{case.number}] x", extra=extra))
    assert outcome.result == ("appended" if believed else "quarantined"), outcome
    if not believed:
        assert "not verified" in str(outcome.reason)
        assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()


# --- which case: our Message-ID, References right to left, then the subject token ------------------------


def test_in_reply_to_then_references_right_to_left_then_the_token(world, case):
    other = open_case(world, subject="DKIM")  # ACME-000002
    root, other_root = ids.thread_root(case.pk), ids.thread_root(other.pk)
    refs = f"{root} <CAJ@mail.gmail.com> {other_root}"
    assert ingest.receive(m.plain(references=refs, message_id="<1@a>")).case == other.number
    assert ingest.receive(m.plain(in_reply_to=root, references=refs, message_id="<2@a>")).case == case.number
    by_id = m.plain(subject=f"Re: [{case.number}] x", references=other_root, message_id="<3@a>")
    assert ingest.receive(by_id).case == other.number
    assert ingest.receive(m.plain(subject=f"Re: [{case.number}] x", message_id="<4@a>")).case == case.number


@pytest.mark.parametrize(
    "forged",
    [
        lambda c: re.sub(r"\.[0-9a-f]{20}@", "." + "0" * 20 + "@", ids.thread_root(c.pk)),
        lambda c: ids.thread_root(c.pk).replace(f"@{ids.domain()}>", "@evil.test>"),
        lambda c: f"<c{c.pk}.root.{'a' * 20}@{ids.domain()}>",
    ],
    ids=["bad-signature", "other-domain", "made-up"],
)
def test_a_forged_message_id_is_not_trusted(world, case, forged):
    outcome = ingest.receive(m.plain(subject="Re: Bounces", in_reply_to=forged(case), references=forged(case)))
    assert outcome.result == "created" and outcome.case != case.number
    assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()


def test_a_token_of_no_case_opens_a_new_one(world, case):
    assert ingest.receive(m.plain(subject="Re: [ACME-999999] x")).result == "created"


# --- tenants: a reference to another account's case is never enough --------------------------------------


@pytest.mark.parametrize(
    "reference",
    [
        {"subject": "Re: [ACME-000001] Bounces"},
        {"subject": "Re: Bounces", "in_reply_to": "ROOT"},
        {"subject": "Re: Bounces", "references": "<CAJ@mail.gmail.com> ROOT"},
        {"subject": "Re: [GLOBEX-000001] x", "in_reply_to": "ROOT"},
    ],
    ids=["token", "in-reply-to", "references", "id-beats-own-token"],
)
def test_bob_never_reaches_an_acme_case(world, case, reference):
    open_case(world, actor=world.bob, account=world.globex, subject="Globex's own")  # GLOBEX-000001
    reference = {k: v.replace("ROOT", ids.thread_root(case.pk)) for k, v in reference.items()}
    before = list(case.events.values_list("id", flat=True))
    outcome = ingest.receive(m.plain(frm=world.bob.email, **reference))
    assert (outcome.result, outcome.case) == ("quarantined", None)
    assert list(case.events.values_list("id", flat=True)) == before
    assert not Case.objects.get(pk=case.pk).followers.filter(pk=world.bob.pk).exists()
    assert not [o for o in sent_to(world.bob.email) if o.reference == case.number]


def test_a_stranger_mailing_the_token_and_ccing_themselves_gains_nothing(world, case):
    before = case.events.count()
    raw = m.plain(frm="mallory@evil.test", cc="mallory@evil.test", subject=f"Re: [{case.number}] add me")
    assert ingest.receive(raw).result == "quarantined"
    services.case_reply(case=case, actor=world.sam, body="We are on it.")
    assert case.events.count() == before + 1
    assert sent_to("mallory@evil.test") == []


def test_a_stranger_ccd_by_the_customer_is_not_added_to_the_case(world, case):
    raw = m.gmail_reply(cc="Mallory <mallory@evil.test>, partner@evil.test")
    assert ingest.receive(raw).result == "appended"
    services.case_reply(case=case, actor=world.sam, body="We are on it.")
    assert not case.followers.exclude(pk=world.alice.pk).exists()
    assert sent_to("mallory@evil.test") == sent_to("partner@evil.test") == []
    assert sent_to(world.alice.email)


# --- duplicates, failures, replay --------------------------------------------------------------------------


def test_the_same_message_twice_does_nothing_the_second_time(world, case):
    raw = m.gmail_reply()
    ingest.receive(raw)
    counts = case.events.count(), outbox().count()
    relayed = b"Received: from backup-mx.portal.test; Tue, 24 Nov 2026 10:20:00 +0100\n" + raw
    for again in (raw, relayed):
        outcome = ingest.receive(again)
        assert (outcome.result, outcome.case) == ("ignored", case.number)
        assert "duplicate" in str(outcome.reason)
    assert (case.events.count(), outbox().count()) == counts
    assert InboundMessage.objects.count() == 1


def test_a_different_message_under_the_same_message_id_is_not_a_duplicate(world, case):
    ingest.receive(m.gmail_reply())
    assert ingest.receive(m.gmail_reply(body="And one more thing.")).result == "appended"


def test_two_messages_without_message_id_and_with_the_same_text_are_both_kept(world, case):
    """Monitoring mail often has no Message-ID; "Still broken." from two people is two messages."""
    first = ingest.receive(m.plain(frm=world.alice.email, subject="Alert A", body="Still broken.", message_id=""))
    second = ingest.receive(m.plain(frm=world.arthur.email, subject="Alert B", body="Still broken.", message_id=""))
    assert (first.result, second.result) == ("created", "created")
    assert InboundMessage.objects.count() == 2


def test_a_message_that_failed_stays_stored_and_is_replayed(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database hiccup")

    raw = m.plain(subject="First")
    monkeypatch.setattr(ingest, "_route", broken)
    outcome = ingest.receive(raw)
    assert (outcome.result, outcome.case) == ("failed", None)
    message = stored(raw)
    assert (message.status, message.attempts, bytes(message.raw)) == ("failed", 1, raw)
    assert "RuntimeError: database hiccup" in message.error
    assert not Case.objects.exists()

    monkeypatch.undo()
    assert ingest.receive(m.plain(subject="Second", message_id="<second@a>")).result == "created"  # not blocked
    replayed = ingest.process(message.pk)
    assert replayed.result == "created"
    message.refresh_from_db()
    assert (message.status, message.attempts, message.error, message.case.subject) == ("processed", 2, "", "First")


# --- resolved cases: reopen within CASE_REOPEN_DAYS, later a new case naming the old one ------------------


def test_a_reply_soon_after_resolution_reopens_the_case(world, case):
    resolve(case, world)
    assert ingest.receive(m.gmail_reply()).result == "appended"
    case.refresh_from_db()
    assert (case.status, case.resolved_at) == (Case.Status.IN_PROGRESS, None)
    assert case.events.filter(kind=CaseEvent.Kind.REOPENED, actor=world.alice).exists()


def test_a_contacts_reply_soon_after_resolution_reopens_the_case_too(world):
    ContactFactory(account=world.acme, email="noc@acme.test")
    case = Case.objects.get(number=ingest.receive(m.plain(frm="noc@acme.test")).case)
    resolve_by_tam = services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_record_agreement(case=resolve_by_tam, actor=world.tina, note="Agreed by phone.")
    outcome = ingest.receive(m.plain(frm="noc@acme.test", subject=f"Re: [{case.number}] x", message_id="<r@a>"))
    assert (outcome.result, outcome.case) == ("appended", case.number)
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS


def test_a_reply_long_after_resolution_opens_a_new_case_naming_the_old_one(world, case, settings):
    settings.CASE_REOPEN_DAYS = 3
    resolve(case, world)
    Case.objects.filter(pk=case.pk).update(resolved_at=timezone.now() - timedelta(days=4))
    events = case.events.count()
    outcome = ingest.receive(m.gmail_reply())
    assert (outcome.result, str(outcome.reason)) == ("created", "new case following up ACME-000001")
    new = Case.objects.get(number=outcome.case)
    assert new.description.startswith("Follow-up to ACME-000001.\n\nHi,")
    assert (Case.objects.get(pk=case.pk).status, case.events.count()) == (Case.Status.RESOLVED, events)


# --- the critical address, and no automatic answer to a machine ------------------------------------------


@pytest.mark.parametrize("how", ["to", "envelope"])
def test_the_critical_address_opens_a_critical_case_whose_acknowledgement_gives_the_phone(world, how):
    raw = m.plain(to=m.CRITICAL if how == "to" else m.SUPPORT, subject="Nothing goes out")
    outcome = ingest.receive(raw, envelope_recipient=m.CRITICAL if how == "envelope" else "")
    case = Case.objects.get(number=outcome.case)
    assert case.severity == Case.Severity.CRITICAL
    [ack] = [o for o in sent_to(world.alice.email) if o.kind == "case.acknowledged"]
    assert f"Severity 1 line, 24/7/365: {world.acme.severity1_phone}" in ack.body
    assert world.acme.severity1_phone in ack.html_body
    assert {o.kind for o in sent_to(world.tina.email)} >= {"case.opened"}


def test_the_ordinary_address_opens_a_non_critical_case(world):
    case = Case.objects.get(number=ingest.receive(m.plain()).case)
    assert case.severity == Case.Severity.NON_CRITICAL
    [ack] = [o for o in sent_to(world.alice.email) if o.kind == "case.acknowledged"]
    assert "Severity 1 line" not in ack.body


AUTOMATIC = {
    "auto-generated": ("Auto-Submitted: auto-generated\n", None),
    "precedence-bulk": ("Precedence: bulk\n", None),
    "precedence-list": ("Precedence: list\nList-Id: <ops.acme.test>\n", None),
    "failed-recipients": ("X-Failed-Recipients: someone@acme.test\n", None),
    "null-envelope": ("", ""),
}


@pytest.mark.parametrize("kind", sorted(AUTOMATIC))
def test_a_machine_made_message_that_answers_no_case_is_quarantined_not_opened(world, kind):
    # issue 15: it opened a case (and with a robot listed as a contact, a flood of them)
    extra, envelope = AUTOMATIC[kind]
    outcome = ingest.receive(m.plain(extra=extra, subject="Queue above 10000"), envelope_sender=envelope)
    assert outcome.result == "quarantined"
    assert str(outcome.reason).startswith("machine-made message that answers no case: ")
    assert not Case.objects.exists()
    assert not outbox().exists()


@pytest.mark.parametrize("kind", sorted(AUTOMATIC))
def test_nothing_is_mailed_back_to_a_machine_that_wrote(world, kind):
    """RFC 3834: a monitoring robot listed as a contact gets no mail in answer to its own alert."""
    ContactFactory(account=world.acme, email="monitor@acme.test")
    extra, envelope = AUTOMATIC[kind]
    raw = m.plain(frm="monitor@acme.test", extra=extra, subject="Queue above 10000")
    assert ingest.receive(raw, envelope_sender=envelope).result == "quarantined"
    assert [o.kind for o in sent_to("monitor@acme.test")] == []


def test_a_contact_is_not_sent_their_own_reply(world):
    ContactFactory(account=world.acme, email="noc@acme.test")
    case = Case.objects.get(number=ingest.receive(m.plain(frm="noc@acme.test")).case)
    outbox().all().delete()
    ingest.receive(m.plain(frm="noc@acme.test", subject=f"Re: [{case.number}] x", body="More.", message_id="<2@n>"))
    assert [o.kind for o in sent_to("noc@acme.test")] == []


def test_our_own_mail_coming_back_adds_nothing(world, case):
    before = case.events.count(), outbox().count()
    raw = m.plain(message_id=our_reply_id(case), subject=f"[{case.number}] Reply")
    assert ingest.receive(raw).result == "ignored"
    assert (case.events.count(), outbox().count()) == before


def test_a_bounce_of_our_notification_is_recorded_on_the_case_not_as_a_reply(world):
    case = Case.objects.get(number=ingest.receive(m.plain()).case)
    ack = outbox().get(kind="case.acknowledged")
    before = outbox().count()
    outcome = ingest.receive(m.dsn_bounce(original_message_id=ack.headers["Message-ID"]), envelope_sender="")
    assert (outcome.result, outcome.case) == ("ignored", case.number)
    bounce = case.events.get(kind=CaseEvent.Kind.BOUNCE)
    assert (bounce.public, bounce.body, str(bounce.text)) == (False, "", "alice@acme.test: 5.1.1")
    assert bounce.details["message_id"] == ack.headers["Message-ID"].strip("<>")
    assert not case.events.filter(kind=CaseEvent.Kind.REPLY).exists()
    assert outbox().count() == before


# --- outbound: our Message-ID, the thread, Reply-To, text + HTML ------------------------------------------


def test_outbound_notifications_carry_the_thread_and_a_reply_to_them_threads(world):
    case = Case.objects.get(number=ingest.receive(m.plain(subject="Bounces")).case)
    services.case_reply(case=case, actor=world.sam, body='Try <script>alert("x")</script> & restart.')
    ack = outbox().get(kind="case.acknowledged")
    reply = outbox().get(kind="case.reply")
    root = ids.thread_root(case.pk)
    for row in (ack, reply):
        assert ids.case_id_from(row.headers["Message-ID"]) == case.pk
        assert (row.headers["In-Reply-To"], row.headers["References"]) == (root, root)
        assert row.headers["Reply-To"] == world.acme.support_email
        assert row.html_body and row.body and row.to == [world.alice.email]
    assert (ack.headers["Auto-Submitted"], ack.headers["X-Auto-Response-Suppress"]) == ("auto-replied", "All")
    assert "Auto-Submitted" not in reply.headers  # a person wrote it
    assert "<script>" not in reply.html_body
    assert "Try &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; restart." in reply.html_body

    outbox_drain()
    sent = {s.extra_headers["Message-ID"]: s for s in mail.outbox}
    message = sent[ack.headers["Message-ID"]].message()
    assert message["Message-ID"] == ack.headers["Message-ID"]
    assert (message["Reply-To"], message["Auto-Submitted"]) == (world.acme.support_email, "auto-replied")
    assert [p.get_content_type() for p in message.walk()] == ["multipart/alternative", "text/plain", "text/html"]

    answer = m.gmail_reply(subject="Re: your case", in_reply_to=reply.headers["Message-ID"], message_id="<ans@g>")
    outcome = ingest.receive(answer)
    assert (outcome.result, outcome.case) == ("appended", case.number)


# --- attachments follow the case limits; refused ones are listed and stay in the raw message --------------


def test_attachments_within_the_limits_are_kept_and_the_others_listed(world, case, settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 1000
    files = [
        ("report.pdf", "application/pdf", b"%PDF-1.4 bounce report"),
        ("setup.exe", "application/octet-stream", b"MZ\x90\x00"),
        ("big.log", "text/plain", b"x" * 2000),
        ("empty.txt", "text/plain", b""),
    ]
    raw = m.with_attachments(files, subject=f"Re: [{case.number}] logs")
    assert ingest.receive(raw).result == "appended"
    assert list(case.attachments.values_list("name", flat=True)) == ["report.pdf"]
    refused = " ".join(map(str, case.events.get(kind=CaseEvent.Kind.REPLY).refused_attachments))
    assert all(name in refused for name in ("setup.exe", "big.log", "empty.txt"))
    assert b'filename="setup.exe"' in bytes(stored(raw).raw)


def test_attachments_over_the_count_limit_are_listed_as_refused(world, case):
    files = [(f"mta-{i:02d}.log", "text/plain", b"421 %d" % i) for i in range(12)]
    ingest.receive(m.with_attachments(files, subject=f"Re: [{case.number}] logs"))
    assert case.attachments.count() == 10
    refused = [str(r) for r in case.events.get(kind=CaseEvent.Kind.REPLY).refused_attachments]
    assert any("mta-10.log" in r or "at most 10" in r for r in refused), refused


def test_a_new_case_by_email_keeps_the_acceptable_attachments(world):
    raw = m.outlook_reply(frm=world.alice.email, subject="Bounces since 9:00")
    case = Case.objects.get(number=ingest.receive(raw).case)
    assert list(case.attachments.values_list("name", flat=True)) == ["mta.log"]
    opened = case.events.get(kind=CaseEvent.Kind.OPENED)
    assert list(case.attachments.values_list("event", flat=True)) == [opened.pk]
    assert "winmail.dat" in " ".join(map(str, opened.refused_attachments))


def test_an_enormous_message_is_kept_whole_quarantined_and_can_still_be_assigned(world, settings):
    settings.INBOUND_MAX_BYTES = 50_000
    raw = m.enormous(80_000)
    outcome = ingest.receive(raw)
    assert outcome.result == "quarantined" and str(outcome.reason).startswith("too large: ")
    message = stored(raw)
    assert (bytes(message.raw), message.size) == (raw, len(raw))
    assert not Case.objects.exists() and not outbox().exists()
    assigned = ingest.process(message.pk, account=world.acme, actor=world.tina)
    assert assigned.result == "created"
    assert list(Case.objects.get().attachments.values_list("name", flat=True)) == ["queue.tar.gz"]
