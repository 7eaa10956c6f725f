"""Every kind of notification goes through accounts.notify: one email per language, in that language, with
the headers of its kind (thread headers where the caller threads, Auto-Submitted unless a person wrote it)."""

import time
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from django.utils import timezone, translation

from accounts import services as account_services
from accounts.models import OutboundEmail
from accounts.outbox import outbox_drain
from availability import alerts as availability_alerts
from availability.ledger import API
from availability.models import SecondRollup
from cases import notifications
from cases.email import ids
from cases.models import CaseEvent
from cases.services.intake import phone_intake_record
from deliverability.authentication import runs
from deliverability.blocklists import alerts as blocklist_alerts
from deliverability.mediation import services as mediation
from deliverability.models import AuthFinding, AuthRun, MediationRequest
from tests.accounts.factories import ContactFactory, UserFactory
from tests.cases.factories import CaseFactory, OnCallShiftFactory
from tests.deliverability.factories import ListingEventFactory, MonitoredTargetFactory, SweepFactory

pytestmark = pytest.mark.django_db
AUTOMATIC = {"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"}


@pytest.fixture
def polish(world):
    """Tom (the backup TAM) and Arthur (a member of Acme) read Polish; Tina and Alice English."""
    for person in (world.tom, world.arthur):
        person.language = "pl"
        person.save(update_fields=["language"])
    return world


def rows(kind: str) -> dict[tuple, OutboundEmail]:
    return {tuple(row.to): row for row in OutboundEmail.objects.filter(kind=kind)}


def assert_one_per_language(found: dict, english: tuple, polish: tuple, *, english_subject: str) -> None:
    assert set(found) == {english, polish}
    assert found[english].subject == english_subject
    assert found[polish].subject != english_subject  # translated, not a copy of the English one


def test_a_blocklist_alert(polish):
    sweep = SweepFactory(account=polish.acme)
    ListingEventFactory(target=MonitoredTargetFactory(account=polish.acme, value="192.0.2.10"), sweep=sweep)
    blocklist_alerts.send_alerts(sweep.pk)
    found = rows("blocklist.alert")
    assert_one_per_language(
        found, ("tina@tam.test",), ("tom@tam.test",), english_subject="[Acme] 1 new blocklist listing"
    )
    assert all(row.headers == AUTOMATIC and row.html_body for row in found.values())


def test_an_authentication_regression(polish):
    ContactFactory(account=polish.acme, email="ops@acme.test", receives_alerts=True)
    run = AuthRun.objects.create(account=polish.acme, status=AuthRun.State.DONE)
    AuthFinding.objects.create(
        run=run, subject="acme.example", kind="dmarc", status="fail", title="No DMARC record.", regression=True
    )
    assert runs.alert_regressions(run.pk) == 1
    found = rows("auth.regression")
    assert_one_per_language(
        found,
        ("ops@acme.test", "tina@tam.test"),
        ("tom@tam.test",),
        english_subject="[Acme] 1 sender-authentication check got worse",
    )
    assert all(row.headers == AUTOMATIC and "/a/acme/authentication/" in row.body for row in found.values())


def test_a_mediation_request_told_to_the_tams_then_its_outcome_to_the_customer(polish):
    request = MediationRequest.objects.create(
        account=polish.acme,
        provider="microsoft",
        bounce_text="550 5.7.1",
        first_seen=timezone.localdate(),
        daily_volume=100,
        affected_percent=5,
        created_by=polish.arthur,
    )
    mediation.mediation_submit(request=request, actor=polish.arthur, acknowledged=True)
    found = rows("mediation.submitted")
    assert set(found) == {("tina@tam.test",), ("tom@tam.test",)}
    assert found[("tina@tam.test",)].subject.startswith("[Acme] New mediation request")
    assert not found[("tom@tam.test",)].subject.startswith("[Acme] New mediation request")
    assert all(row.headers == AUTOMATIC and "/console/mediation/" in row.body for row in found.values())

    mediation.mediation_set_status(request=request, actor=polish.tina, status="resolved")
    # Issue 16: whoever asked, the account's admins and its alert contacts are told, each in their language.
    told = {tuple(row.to): row for row in OutboundEmail.objects.filter(kind="mediation.resolved")}
    assert {("arthur@acme.test",), ("alice@acme.test",)} <= set(told)
    assert all(row.headers == AUTOMATIC for row in told.values())
    assert not told[("arthur@acme.test",)].subject.startswith("Your mediation request")  # Arthur reads Polish


def test_an_availability_incident(polish):
    UserFactory(email="marta@acme.test", language="pl")
    ContactFactory(account=polish.acme, email="marta@acme.test", receives_alerts=True)
    now = int(time.time())
    SecondRollup.objects.bulk_create(
        SecondRollup(account=polish.acme, channel=API, second=now - 100 + s, attempts=5, failures=5) for s in range(90)
    )
    assert availability_alerts.alert(polish.acme, now) == 1
    found = rows("availability.incident")
    assert set(found) == {("tina@tam.test",), ("tom@tam.test",), ("alice@acme.test",), ("marta@acme.test",)}
    assert all(row.headers == AUTOMATIC for row in found.values())
    english, polish_copy = found[("alice@acme.test",)], found[("marta@acme.test",)]
    assert english.subject == "[Acme] Unavailable for 90 seconds and counting"
    assert polish_copy.subject != english.subject and "[Acme]" in polish_copy.subject
    assert "/a/acme/availability/" in found[("tina@tam.test",)].body

    def prefilled_subject(row):
        link = next(word for word in row.body.split() if "/cases/new/" in word)
        return parse_qs(urlparse(link).query)["subject"][0]

    assert prefilled_subject(english).startswith("Unavailable since")
    with translation.override("pl"):
        assert prefilled_subject(polish_copy).startswith(
            translation.gettext("Unavailable since %(start)s (%(channels)s)")[:12]
        )


def test_a_case_event_to_the_customer_and_to_staff_is_threaded(polish):
    case = CaseFactory(account=polish.acme, reporter=polish.alice)
    case.followers.add(polish.arthur)
    reply = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.REPLY, actor=polish.tina, public=True, body="Hi")
    notifications.deliver(case, reply)
    found = rows("case.reply")
    assert set(found) >= {("alice@acme.test",), ("arthur@acme.test",)}
    root = ids.thread_root(case.pk)
    for to, language in ((("alice@acme.test",), "en"), (("arthur@acme.test",), "pl")):
        headers = found[to].headers
        assert headers["Message-ID"] == ids.notification_id(case.pk, reply.pk, language, staff=False)
        assert (headers["In-Reply-To"], headers["References"], headers["Reply-To"]) == (
            root,
            root,
            polish.acme.support_email,
        )
        assert "Auto-Submitted" not in headers  # a person wrote it
    assert found[("alice@acme.test",)].subject != found[("arthur@acme.test",)].subject

    breach = CaseEvent.objects.create(case=case, kind=CaseEvent.Kind.SLA_BREACH, public=False, body="x")
    notifications.deliver(case, breach, extra_staff=polish.acme.active_tams())
    staff = rows("case.sla_breach")
    assert set(staff) == {("tina@tam.test",), ("tom@tam.test",)}  # the customers hear nothing of it
    polish_copy = staff[("tom@tam.test",)].headers
    assert ids.audience_of(polish_copy["Message-ID"]) == ids.STAFF_COPY
    assert polish_copy["Message-ID"] == ids.notification_id(case.pk, breach.pk, "pl", staff=True)
    assert {k: polish_copy[k] for k in AUTOMATIC} == AUTOMATIC


def test_a_call_from_an_unknown_company(world):
    OnCallShiftFactory(agent__email="olga@support.test", agent__language="pl")
    OnCallShiftFactory(agent__email="sid@support.test", agent__language="en")
    phone_intake_record(
        taken_by=world.sam,
        company_name="Initech & Co",
        contact_name="Peter",
        contact_phone="+48 500 000 000",
        contact_email="peter@initech.test",
        description="Nothing leaves.",
        received_at=timezone.now() - timedelta(minutes=1),
    )
    found = rows("case.phone_intake_unmatched")
    assert_one_per_language(
        found,
        ("sid@support.test",),
        ("olga@support.test",),
        english_subject="SEVERITY 1 CALL — unknown company: Initech & Co",
    )
    assert all(row.headers == AUTOMATIC and "/console/severity1/" in row.body for row in found.values())


def test_an_invitation_in_the_inviters_language_with_the_link_made_when_it_leaves(world, mailoutbox):
    with translation.override("pl"):
        account_services.membership_add(
            account=world.acme, actor=world.alice, email="nowa@acme.test", full_name="Nowa Osoba", role="member"
        )
    (row,) = OutboundEmail.objects.filter(kind="account.invitation")
    assert row.to == ["nowa@acme.test"] and row.headers == AUTOMATIC
    assert not row.subject.startswith("You have been added") and "{SET_PASSWORD_URL}" in row.body
    assert outbox_drain() == 1
    assert "{SET_PASSWORD_URL}" not in mailoutbox[0].body and "/reset/" in mailoutbox[0].body
