"""Erasing a person of a customer (issue 18; GDPR Art. 17): the TAM, on a verified request. Their name,
address and phone go from the account's contacts, cases, timelines and raw mail; the login becomes anonymous
when this was their only company; the audit trail records it without their address."""

import json
import threading
import time

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections, transaction

from accounts.models import AuditEvent, Contact, Membership, OutboundEmail, User
from cases import search
from cases.models import Case, CaseEvent, InboundMessage
from portal import privacy
from tests.accounts.factories import (
    AuditEventFactory,
    ContactFactory,
    MembershipFactory,
    OutboundEmailFactory,
    UserFactory,
    add_totp,
)
from tests.cases.factories import CaseEventFactory, CaseFactory, InboundMessageFactory, PhoneIntakeFactory
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db
OLA = "ola.kowalska@acme.test"


@pytest.fixture
def ola(world):
    user = UserFactory(email=OLA, full_name="Ola Kowalska", phone="+48 600 100 200")
    MembershipFactory(account=world.acme, user=user)
    ContactFactory(account=world.acme, name="Ola Kowalska", email=OLA, phone="+48 600 100 200")
    case = CaseFactory(
        account=world.acme,
        reporter=user,
        contact_name="Ola Kowalska",
        contact_email=OLA,
        contact_phone="600-100-200",
        description="Ola Kowalska here, call me on +48 600 100 200 or write to Ola.Kowalska@acme.test",
    )
    CaseEventFactory(case=case, kind=CaseEvent.Kind.REPLY, actor=user, body="Regards, Ola Kowalska")
    InboundMessageFactory(account=world.acme, sender=f"Ola Kowalska <{OLA}>")
    case.followers.add(user)
    return user


def _erase(world, actor=None, email=OLA):
    actor = actor or world.tina
    return privacy.person_erase(account=world.acme, actor=actor, email=email, reason="Ticket 77, verified by phone")


def test_the_tam_erases_a_person_everywhere_on_the_account(world, ola):
    case = ola.reported_cases.get()
    done = _erase(world)
    ola.refresh_from_db()
    case.refresh_from_db()
    assert ola.email == f"erased-{ola.pk}@erased.invalid" and ola.full_name == f"#{ola.pk}"
    assert not ola.is_active and not ola.has_usable_password() and ola.phone == ""
    assert not Membership.objects.filter(user=ola).exists()
    assert not Contact.objects.filter(email__iexact=OLA).exists()
    assert (case.contact_name, case.contact_email, case.contact_phone) == ("", "", "")
    for trace in ("Ola", "600 100 200", "acme.test"):
        assert trace not in case.description
    assert case.description.startswith("[…] here")
    assert CaseEvent.objects.get(kind=CaseEvent.Kind.REPLY).body == "Regards, […]"
    inbound = InboundMessage.objects.get()
    assert bytes(inbound.raw) == b"" and inbound.sender == ""
    assert not case.followers.exists()
    assert case.reporter_id == ola.pk  # the case stays the company's record, with no name on it
    assert done["login_anonymised"] and done["case_contacts_cleared"] == 1


def test_the_audit_trail_records_why_and_never_the_address(world, ola):
    _erase(world)
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.PERSON_ERASED)
    assert row.actor == world.tina and row.details["reason"] == "Ticket 77, verified by phone"
    assert not AuditEvent.objects.filter(details__icontains="ola.kowalska").exists()
    text = " ".join(str(e.details) + e.target_label for e in AuditEvent.objects.all())
    assert "ola.kowalska" not in text.lower()


def test_someone_on_another_companys_team_keeps_their_login(world, ola):
    MembershipFactory(account=world.globex, user=ola)
    done = _erase(world)
    ola.refresh_from_db()
    assert ola.is_active and ola.email == OLA and not done["login_anonymised"]
    assert list(Membership.objects.filter(user=ola).values_list("account__slug", flat=True)) == ["globex"]


def test_their_second_factor_and_sign_in_go(world, ola, client):
    add_totp(ola)
    client.force_login(ola)
    _erase(world)
    assert client.get("/a/acme/").status_code in (302, 404)
    from allauth.mfa.models import Authenticator

    assert not Authenticator.objects.filter(user=ola).exists()


def test_their_company_sign_in_identity_goes(world, ola):
    """Issue 20: the identity their company's IdP vouched for (its claims: name, address) goes with the login."""
    from allauth.socialaccount.models import SocialAccount

    SocialAccount.objects.create(user=ola, provider="acct-1", uid="00u1", extra_data={"userinfo": {"email": OLA}})
    _erase(world)
    assert not SocialAccount.objects.filter(user=ola).exists()


@pytest.mark.parametrize("role", ["alice", "arthur", "sam", "tess", "bob"])
def test_only_the_accounts_tam_or_a_superuser_erases(world, ola, role):
    with pytest.raises(privacy.PrivacyError):
        _erase(world, actor=getattr(world, role))
    assert User.objects.get(pk=ola.pk).email == OLA


def test_staff_and_unknown_addresses_are_refused_and_nothing_changes(world, ola):
    with pytest.raises(privacy.PrivacyError, match="member of staff"):
        _erase(world, email="tina@tam.test")
    with pytest.raises(privacy.PrivacyError, match="Nobody"):
        _erase(world, email="nobody@acme.test")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSON_ERASED).exists()


def test_another_accounts_person_is_not_touched(world, ola):
    bobs_case = CaseFactory(account=world.globex, contact_email=OLA, contact_name="Ola Kowalska")
    _erase(world)
    bobs_case.refresh_from_db()
    assert bobs_case.contact_email == OLA and bobs_case.contact_name == "Ola Kowalska"


def test_the_page_needs_a_reason_and_a_confirmation(client, world, ola, english):
    sign_in(client, world, "tina")
    page = client.post("/console/accounts/acme/erase/", {"email": OLA, "reason": ""}).content.decode()
    assert "This field is required" in page and "Tick the box" in page
    assert User.objects.get(pk=ola.pk).email == OLA
    page = client.post("/console/accounts/acme/erase/", {"email": OLA, "reason": "Ticket 77", "confirm": "on"})
    body = page.content.decode()
    assert page.status_code == 200 and 'data-testid="erase-done"' in body and "Login made anonymous: yes" in body


def test_what_the_timeline_says_of_them_beyond_its_text_goes_too(client, world, ola):
    """The callback's "Called Ola Kowalska on ...", the agreed-with name, the sender's address and the quoted
    email are kept in an event's details, and the subject is text the customer wrote too."""
    case = ola.reported_cases.get()
    Case.objects.filter(pk=case.pk).update(subject="Ola Kowalska cannot sign in")
    called = {"called_name": "Ola Kowalska", "called_number": "+48 600 100 200", "outcome": "reached"}
    CaseEventFactory(case=case, kind=CaseEvent.Kind.CALLBACK_LOGGED, actor=world.tina, body="", details=called)
    agreed = {"before": 60, "after": 30, "agreed_with": "Ola Kowalska"}
    CaseEventFactory(case=case, kind=CaseEvent.Kind.CADENCE_CHANGED, actor=world.tina, body="", details=agreed)
    quoted = {"from_address": OLA, "quoted": f"On Monday Ola Kowalska <{OLA}> wrote:\n> it fails"}
    CaseEventFactory(case=case, kind=CaseEvent.Kind.REPLY, actor=None, body="Still failing", details=quoted)
    _erase(world)
    case.refresh_from_db()
    stored = case.subject + "".join(json.dumps(e.details, ensure_ascii=False) for e in case.events.all())
    for trace in ("Ola", "Kowalska", "600 100 200", "acme.test"):
        assert trace not in stored
    sign_in(client, world, "alice")
    page = client.get(f"/a/acme/cases/{case.number}/").content.decode()
    assert "Kowalska" not in page and "600 100 200" not in page


def test_a_search_for_their_name_finds_nothing_afterwards(world, ola):
    """On PostgreSQL the search vectors are computed from the text: they follow the erased text."""
    case = ola.reported_cases.get()
    search.index([case.pk])
    _erase(world)
    assert not search.matching(Case.objects.filter(account=world.acme), "Kowalska", staff=True).exists()


def test_the_audit_trail_keeps_neither_their_name_nor_their_address(world, ola):
    membership = Membership.objects.get(user=ola)
    contact = Contact.objects.get(email=OLA)
    added = {"email": OLA, "role": "member"}
    AuditEventFactory(account=world.acme, target_label=str(membership), details=added)
    AuditEventFactory(account=world.acme, kind=AuditEvent.Kind.CONTACT_CHANGED, target_label=str(contact), details={})
    own = {"target_type": ContentType.objects.get_for_model(ola), "target_id": str(ola.pk), "target_label": str(ola)}
    AuditEventFactory(account=None, actor=ola, kind=AuditEvent.Kind.AUTHENTICATOR_ADDED, details={}, **own)
    reason = f"Ticket 77: Ola Kowalska asked from {OLA}, verified by phone"
    privacy.person_erase(account=world.acme, actor=world.tina, email=OLA, reason=reason)
    text = " ".join(json.dumps(e.details, ensure_ascii=False) + e.target_label for e in AuditEvent.objects.all())
    assert "kowalska" not in text.lower()
    assert AuditEvent.objects.get(kind=AuditEvent.Kind.PERSON_ERASED).details["reason"].startswith("Ticket 77: […]")


def test_emails_to_them_are_not_sent_nor_kept(world, ola):
    OutboundEmailFactory(account=world.acme, to=[OLA], body="Dear Ola Kowalska, your case ...")
    sent = OutboundEmailFactory(account=world.acme, to=[OLA], status=OutboundEmail.Status.SENT)
    both = OutboundEmailFactory(account=world.acme, to=["alice@acme.test", OLA])
    others = OutboundEmailFactory(account=world.globex, to=[OLA])
    _erase(world)
    left = {row.pk: row.to for row in OutboundEmail.objects.all()}
    assert sent.pk not in left and left[both.pk] == ["alice@acme.test"] and left[others.pk] == [OLA]
    assert len(left) == 2


def test_their_calls_received_subjects_and_emails_to_others_that_name_them_change_too(world, ola):
    """A Severity 1 call's text, the subjects of received emails and what the account's emails to others say of
    them are rewritten like the cases' text; other people on those rows keep their names."""
    theirs = PhoneIntakeFactory(
        account=world.acme, contact_name="Ola Kowalska", contact_email=OLA, description="Ola Kowalska: all bounces"
    )
    for_them = PhoneIntakeFactory(
        account=world.acme,
        contact_name="Arthur Malinowski",
        contact_phone="+48 600 999 888",
        contact_email="arthur@acme.test",
        description="Calling for Ola Kowalska (+48 600 100 200), who is away",
        close_reason=f"Duplicate of the call from {OLA}",
    )
    InboundMessage.objects.update(subject="Ola Kowalska: nothing goes out")
    forwarded = InboundMessageFactory(account=world.acme, sender="arthur@acme.test", subject="Fwd: Ola Kowalska")
    quoted = f"Ola Kowalska <{OLA}> wrote: call +48 600 100 200"
    mail = OutboundEmailFactory(
        account=world.acme,
        to=["alice@acme.test"],
        subject="Case opened by Ola Kowalska",
        body=quoted,
        html_body=f"<p>{quoted}</p>",
    )
    done = _erase(world)
    for row in (theirs, for_them, forwarded, mail):
        row.refresh_from_db()
    assert theirs.description == "[…]: all bounces" and theirs.contact_email == ""
    assert (for_them.contact_name, for_them.contact_phone) == ("Arthur Malinowski", "+48 600 999 888")
    assert for_them.description == "Calling for […] ([…]), who is away"
    assert for_them.close_reason == "Duplicate of the call from […]"
    assert InboundMessage.objects.get(sender="").subject == "" and forwarded.subject == "Fwd: […]"
    assert mail.subject == "Case opened by […]" and mail.body == "[…] <[…]> wrote: call […]"
    assert mail.html_body == "<p>[…] <[…]> wrote: call […]</p>" and mail.to == ["alice@acme.test"]
    assert done["calls_scrubbed"] == 2 and done["emails_scrubbed"] == 1 and done["inbound_subjects_scrubbed"] == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one writer at a time: nothing to lock")
def test_a_second_erasure_at_the_same_time_waits_then_finds_nobody(world, ola):
    """A double click, or two TAMs: the second erasure waits for the first to commit, then finds nothing to
    erase, and the audit trail has one row."""
    erased, release, outcome = threading.Event(), threading.Event(), {}

    def erase(name, hold=False):
        try:
            with transaction.atomic():
                outcome[name] = _erase(world)
                erased.set()
                if hold:
                    release.wait(timeout=30)
        except privacy.PrivacyError as error:
            outcome[name] = error
        finally:
            connections.close_all()  # this thread's connection

    first = threading.Thread(target=erase, args=("first", True))
    first.start()
    assert erased.wait(timeout=30)
    second = threading.Thread(target=erase, args=("second",))
    second.start()
    waiting = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
    with connection.cursor() as cursor:
        for _ in range(3000):  # until the second erasure waits for the first (at most about 30 s)
            cursor.execute(waiting)
            if cursor.fetchone()[0] or not second.is_alive():
                break
            time.sleep(0.01)
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)
    assert outcome["first"]["login_anonymised"]
    assert isinstance(outcome["second"], privacy.PrivacyError) and "Nobody" in str(outcome["second"])
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.PERSON_ERASED).count() == 1


@pytest.mark.parametrize(
    ("language", "said"), [("en", "is this account's only admin"), ("pl", "jedynym administratorem")]
)
def test_the_page_says_before_erasing_the_only_admin_that_nobody_could_ask_for_an_export(client, world, language, said):
    """Erasing the account's last admin leaves nobody who can ask for a data export: the page says so before the
    TAM confirms, and still erases (a legal request is honoured)."""
    world.tina.language = language
    world.tina.save(update_fields=["language"])
    sign_in(client, world, "tina")
    page = client.get("/console/accounts/acme/erase/").content.decode()
    assert 'data-testid="only-admin"' in page and said in page and world.alice.email in page
    form = {"email": world.alice.email, "reason": "Ticket 78, verified by phone", "confirm": "on"}
    assert 'data-testid="erase-done"' in client.post("/console/accounts/acme/erase/", form).content.decode()
    assert not world.acme.admin_users().exists()


def test_no_warning_while_another_admin_is_left(client, world):
    MembershipFactory(account=world.acme, user=UserFactory(email="ada@acme.test"), role="admin")
    sign_in(client, world, "tina")
    assert 'data-testid="only-admin"' not in client.get("/console/accounts/acme/erase/").content.decode()


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("en", ["in Severity 1 calls and in the subjects of email received", "emails to them, queued or kept"]),
        ("pl", ["w zgłoszeniach telefonicznych Severity 1", "e-maile do tej osoby, oczekujące lub zachowane"]),
    ],
)
def test_the_page_tells_the_tam_everything_the_erasure_changes(client, world, language, said):
    """Before confirming, the TAM reads what the erasure does: its calls, the subjects of email received and the
    account's outbox too, not only contacts, descriptions and timelines."""
    world.tina.language = language
    world.tina.save(update_fields=["language"])
    sign_in(client, world, "tina")
    page = client.get("/console/accounts/acme/erase/").content.decode()
    assert all(words in page for words in said), said


def test_their_number_written_without_its_country_code_goes_too(world, ola):
    """Stored as "+48 600 100 200", written by colleagues as "600 100 200" or "0600-100-200" in texts that name
    nothing else of them: those texts were never even read."""
    case = CaseFactory(account=world.acme, description="Outage since 9:00, the on-site contact is on 600 100 200.")
    note = CaseEventFactory(case=case, kind=CaseEvent.Kind.REPLY, body="Called 0600-100-200 twice, no answer.")
    other = CaseFactory(account=world.acme, description="Order 1600100200 and ticket 600100200123 are not hers.")

    _erase(world)

    case.refresh_from_db()
    note.refresh_from_db()
    other.refresh_from_db()
    assert case.description == "Outage since 9:00, the on-site contact is on […]."
    assert note.body == "Called […] twice, no answer."
    assert other.description == "Order 1600100200 and ticket 600100200123 are not hers."
