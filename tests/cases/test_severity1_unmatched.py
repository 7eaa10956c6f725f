"""A Severity 1 call nobody could match, and a call during a gap in the rota (issue 15): the 15-minute clock
runs from the call whatever happens, and somebody is always told (MISSION CR-1, CR-2, TAM-4)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, PhoneIntake
from cases.services import CaseStateError
from tests.accounts.factories import AgentFactory, ContactFactory, TamFactory
from tests.cases.conftest import emailed, open_case
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox
from tests.helpers import messages_of

CALL = {
    "company_name": "Initech",
    "contact_name": "Peter Gibbons",
    "contact_phone": "+48 600 700 800",
    "contact_email": "peter@initech.test",
    "description": "Every API call answers 503 since 02:40.",
}
EVERY_TAM = {"tina@tam.test", "tom@tam.test", "tess@tam.test"}


def take_call(world, **overrides) -> PhoneIntake:
    return services.phone_intake_record(taken_by=world.sam, **(CALL | overrides))


@pytest.fixture
def night(world, frozen):
    """Saturday 03:00 in Warsaw, in a gap of the rota: Olga's shift ended at 17:00, the next starts Monday."""
    now = frozen("2026-06-13 01:00")
    OnCallShiftFactory(
        agent__email="olga@support.test", starts_at=now - timedelta(hours=18), ends_at=now - timedelta(hours=10)
    )
    OnCallShiftFactory(
        agent__email="omar@support.test", starts_at=now + timedelta(days=2), ends_at=now + timedelta(days=2, hours=8)
    )
    return now


def test_an_unknown_company_calling_in_a_rota_gap_pages_every_tam_and_every_agent(world, night):
    # MISSION: CR-1, CR-2 — on main nobody was told at all
    take_call(world)

    assert emailed("case.phone_intake_unmatched") == EVERY_TAM | {
        "olga@support.test",
        "omar@support.test",
        "sam@support.test",
    }


def test_a_known_company_calling_in_a_rota_gap_pages_its_tams_and_every_agent(world, night):
    take_call(world, company_name="Acme", account=world.acme)

    told = emailed("case.phone_intake")
    assert {"tina@tam.test", "tom@tam.test", "olga@support.test", "omar@support.test"} <= told
    assert "tess@tam.test" not in told  # Globex's TAM is not told about Acme's case


def test_a_critical_case_warning_in_a_rota_gap_reaches_every_agent(world, night):
    case = open_case(world, critical=True, callback=True)

    services.sla_sweep(now=case.callback_due_at - timedelta(minutes=4))

    assert {"olga@support.test", "omar@support.test", "sam@support.test"} <= emailed("case.sla_warning")


def test_a_call_nobody_matched_is_warned_about_then_escalated_to_every_tam_once(world, frozen):
    start = frozen("2026-06-10 12:00")
    OnCallShiftFactory(agent__email="olga@support.test", starts_at=start - timedelta(hours=1))
    intake = take_call(world)
    outbox().all().delete()

    assert services.intake_sweep(now=start + timedelta(minutes=5)) == 0  # nothing due yet
    assert services.intake_sweep(now=start + timedelta(minutes=11)) == 1
    assert emailed("case.phone_intake_unmatched") == {"olga@support.test"}
    warning = outbox().get()
    assert "due soon" in warning.subject and "+48 600 700 800" in warning.body

    assert services.intake_sweep(now=start + timedelta(minutes=15)) == 1
    breach = outbox().filter(subject__contains="MISSED")
    assert {a for row in breach for a in row.to} == EVERY_TAM | {"olga@support.test"}
    # overlapping or repeated runs send nothing again
    assert services.intake_sweep(now=start + timedelta(minutes=16)) == 0
    assert outbox().count() == 2
    intake.refresh_from_db()
    assert intake.warned_at and intake.breached_at


def test_a_matched_call_keeps_its_clock_from_the_call(world, frozen):
    start = frozen("2026-06-10 12:00")
    intake = take_call(world, company_name="Acme Polska")
    frozen("2026-06-10 12:20")

    intake = services.phone_intake_match(intake=intake, actor=world.sam, account=world.acme)

    assert intake.case.callback_due_at == start + timedelta(minutes=15)
    assert intake.case.next_deadline_at == start + timedelta(minutes=15)
    assert services.sla_sweep(now=timezone.now()) == 1  # breached already: escalated to Acme's TAMs
    assert {"tina@tam.test", "tom@tam.test"} <= emailed("case.sla_breach")


def test_a_call_that_was_not_a_customer_is_closed_with_a_reason_on_the_audit_trail(world, frozen):
    frozen("2026-06-10 12:00")
    intake = take_call(world, company_name="Wrong number")

    services.phone_intake_close(intake=intake, actor=world.sam, reason="A wrong number: a pizzeria.")

    intake.refresh_from_db()
    assert (intake.closed_by, intake.close_reason) == (world.sam, "A wrong number: a pizzeria.")
    assert not PhoneIntake.objects.unmatched().exists()
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.PHONE_INTAKE_CLOSED)
    assert (row.actor, row.details["reason"], row.target_id) == (
        world.sam,
        "A wrong number: a pizzeria.",
        str(intake.pk),
    )
    outbox().all().delete()
    assert services.intake_sweep(now=intake.callback_due_at + timedelta(minutes=1)) == 0  # off the clock
    with pytest.raises(CaseStateError):
        services.phone_intake_match(intake=intake, actor=world.sam, account=world.acme)


def test_a_call_is_not_closed_without_a_reason(world):
    intake = take_call(world)
    with pytest.raises(CaseStateError, match="Say why"):
        services.phone_intake_close(intake=intake, actor=world.sam, reason="  ")
    assert PhoneIntake.objects.unmatched().get() == intake
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.PHONE_INTAKE_CLOSED).exists()


def test_closing_a_call_from_the_severity_1_page(client, world, english):
    intake = take_call(world)
    client.force_login(world.sam)

    refused = client.post(f"/console/severity1/{intake.pk}/close/", {"reason": ""})
    assert refused.status_code == 400
    assert "Say why this call was not from a customer." in messages_of(refused)
    response = client.post(f"/console/severity1/{intake.pk}/close/", {"reason": "Sales call."}, follow=True)

    assert "Call closed as not from a customer." in messages_of(response)
    assert "Initech" not in messages_of(response) and PhoneIntake.objects.get().close_reason == "Sales call."


@pytest.mark.parametrize(
    ("said", "email", "phone"),
    [
        ("ACME sp. z o.o.", "", ""),  # the legal form is not part of the name on file
        ("Acme Polska", "", ""),
        ("Acmee", "", ""),  # misspelt
        ("Unknown Ltd", "it@acme.test", ""),  # a colleague's address at the same domain
        ("Unknown Ltd", "", "600-100-200"),  # the contact's number, written differently
        ("acme.test", "", ""),
    ],
)
def test_matching_finds_the_company_however_the_caller_said_it(world, said, email, phone):
    # MISSION: CR-2 — the representative searches; on main only the exact words of name or short name matched
    ContactFactory(account=world.acme, email="ops@acme.test", phone="+48 600 100 200")

    assert services.matching_accounts(said, world.sam, email=email, phone=phone) == [world.acme]


def test_matching_stays_within_the_staff_members_accounts(world):
    ContactFactory(account=world.acme, email="ops@acme.test", phone="+48 600 100 200")
    assert services.matching_accounts("Acme", world.tess) == []
    assert services.matching_accounts("x", world.sam, email="ops@acme.test") == [world.acme]
    assert services.matching_accounts("x", world.tess, email="ops@acme.test") == []


def test_a_mistyped_account_when_matching_is_a_message_not_a_404(client, world, english):
    intake = take_call(world, company_name="Acme Polska")
    client.force_login(world.sam)

    response = client.post(f"/console/severity1/{intake.pk}/match/", {"account": "Akme Polsk"})
    assert response.status_code == 400  # the page again, with the reason: not a bare 404 page
    assert messages_of(response) == [
        "No account matches “Akme Polsk”. Try the company's name, its email domain or a contact's phone number."
    ]
    assert "Acme Polska" in response.content.decode()  # the call is still listed, to match it properly
    assert PhoneIntake.objects.unmatched().exists()

    response = client.post(f"/console/severity1/{intake.pk}/match/", {"account": "ACME S.A."})
    assert response.status_code == 302 and response["Location"] == "/console/cases/ACME-000001/"
    assert Case.objects.get().callback_due_at == intake.callback_due_at


def test_the_severity_1_page_suggests_accounts_for_a_call_nobody_matched(client, world):
    ContactFactory(account=world.acme, email="ops@acme.test")
    take_call(world, company_name="Unknown Ltd", contact_email="peter@acme.test")
    client.force_login(world.sam)

    page = client.get("/console/severity1/").content.decode()

    assert 'name="account" value="acme"' in page
    assert "/close/" in page


def test_every_agent_and_tam_means_the_active_ones(world, night):
    AgentFactory(email="gone@support.test", is_active=False)
    TamFactory(email="left@tam.test", is_active=False)
    take_call(world)

    told = emailed("case.phone_intake_unmatched")
    assert EVERY_TAM | {"sam@support.test"} <= told
    assert "gone@support.test" not in told and "left@tam.test" not in told


def test_a_mailbox_providers_domain_matches_nobody(world):
    ContactFactory(account=world.acme, email="acme.ops@gmail.com")
    assert services.matching_accounts("Initech", world.sam, email="peter@gmail.com") == []
