"""The Severity 1 phone line (cases/services/intake.py): the representative's record of the call, matched to an
account, the 15-minute callback clock it starts, and who is told (MISSION CR-1, CR-2, TAM-4)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseEvent, PhoneIntake
from cases.services import CaseStateError
from tests.accounts.factories import AccountFactory
from tests.cases.conftest import open_case
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox

K = CaseEvent.Kind
CALL = {
    "company_name": "ACME sp. z o.o.",
    "contact_name": "Alice Andrzejewska",
    "contact_phone": "+48 600 100 200",
    "contact_email": "alice@acme.test",
    "description": "Nothing has been delivered since 10:00; the API answers 503.",
}


def take_call(world, *, taken_by=None, received_at=None, **overrides) -> PhoneIntake:
    return services.phone_intake_record(taken_by=taken_by or world.sam, received_at=received_at, **(CALL | overrides))


def recipients(mails, subject_part: str) -> set[str]:
    return {addr for m in mails if subject_part in m.subject for addr in m.to}


@pytest.fixture
def olga(db):
    """The agent on duty for the Severity 1 line now."""
    return OnCallShiftFactory(agent__email="olga@support.test", agent__full_name="Olga Wiśniewska").agent


def test_a_call_from_a_known_company_opens_a_critical_case_with_the_callback_clock(
    world, olga, django_capture_on_commit_callbacks, mailoutbox
):
    # MISSION: CR-1, CR-2
    received = timezone.now() - timedelta(minutes=2)

    with django_capture_on_commit_callbacks(execute=True):
        intake = take_call(world, account=world.acme, received_at=received)

    intake = PhoneIntake.objects.get()
    case = intake.case
    assert (intake.account, intake.taken_by, intake.received_at) == (world.acme, world.sam, received)
    assert (case.severity, case.channel, case.callback_requested) == (Case.Severity.CRITICAL, Case.Channel.PHONE, True)
    assert case.callback_due_at == received + timedelta(minutes=15) == intake.callback_due_at
    assert (case.contact_name, case.contact_phone, case.contact_email) == (
        "Alice Andrzejewska",
        "+48 600 100 200",
        "alice@acme.test",
    )
    assert case.next_deadline_at == received + timedelta(minutes=15)
    event = case.events.get(kind=K.PHONE_INTAKE)
    assert (event.actor, event.body) == (world.sam, CALL["description"])
    # the on-duty agent and both TAMs hear about the call at once, the caller gets a confirmation at the
    # address given; the representative knows already
    told = recipients(mailoutbox, "Severity 1 call taken")
    assert told == {"olga@support.test", "tina@tam.test", "tom@tam.test", "alice@acme.test"}
    assert all(f"[{case.number}]" in m.subject for m in mailoutbox)


def test_a_call_about_the_callers_own_case_puts_that_case_on_the_callback_clock(world, olga):
    case = open_case(world)
    received = timezone.now() - timedelta(minutes=1)

    intake = take_call(world, account=world.acme, case=case, received_at=received, contact_phone="+48 600 999 999")

    assert Case.objects.count() == 1
    case = Case.objects.get(pk=case.pk)
    assert intake.case == case
    assert (case.severity, case.callback_requested) == (Case.Severity.CRITICAL, True)
    assert (case.callback_due_at, case.callback_done_at) == (received + timedelta(minutes=15), None)
    assert case.contact_phone == "+48 600 999 999"
    assert case.next_deadline_at == received + timedelta(minutes=15)
    assert case.events.filter(kind=K.PHONE_INTAKE, actor=world.sam).count() == 1
    assert {"olga@support.test", "tina@tam.test", "tom@tam.test"} <= {
        addr for row in outbox().filter(kind="case.phone_intake") for addr in row.to
    }


def test_a_call_joined_to_a_resolved_case_still_has_a_watched_callback_clock(world):
    # A callback clock nobody watches would be a promise (CR-2) silently broken.
    case = open_case(world)
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)

    try:
        take_call(world, account=world.acme, case=Case.objects.get(pk=case.pk))
    except CaseStateError:
        assert not PhoneIntake.objects.exists()  # refused, and the representative is told why
    else:
        case = Case.objects.get(pk=case.pk)
        assert case.is_open and case.callback_pending
        assert case.sla_check_at is not None


def test_a_call_from_an_unknown_company_is_kept_and_the_on_duty_agents_are_told(
    world, olga, django_capture_on_commit_callbacks, mailoutbox
):
    # "Nothing the customer sent is ever lost"
    with django_capture_on_commit_callbacks(execute=True):
        intake = take_call(world, company_name="Initech")

    intake = PhoneIntake.objects.get()
    assert (intake.account, intake.case, intake.company_name) == (None, None, "Initech")
    assert intake.callback_due_at == intake.received_at + timedelta(minutes=15)
    assert not Case.objects.exists()
    assert [m.to for m in mailoutbox] == [["olga@support.test"]]
    assert "Initech" in mailoutbox[0].subject
    assert CALL["contact_phone"] in mailoutbox[0].body


def test_the_unknown_company_email_links_to_where_the_call_is_matched(world, olga):
    take_call(world, company_name="Initech")

    row = outbox().get(kind="case.phone_intake_unmatched")
    assert reverse("phone-intake") in row.body


def test_matching_a_call_later_keeps_the_time_it_came_in_as_the_clock_start(world, olga):
    received = timezone.now() - timedelta(minutes=8)
    take_call(world, company_name="Acme Poland", received_at=received)
    unmatched = PhoneIntake.objects.get()

    intake = services.phone_intake_match(intake=unmatched, actor=world.tina, account=world.acme)

    assert PhoneIntake.objects.count() == 1
    assert not PhoneIntake.objects.unmatched().exists()
    assert (intake.account, intake.received_at) == (world.acme, received)
    assert intake.case.callback_due_at == received + timedelta(minutes=15)
    assert intake.case.severity == Case.Severity.CRITICAL


def test_matching_a_call_links_the_record_the_representative_made(world, olga):
    take_call(world, taken_by=world.sam, company_name="Acme Poland")
    unmatched = PhoneIntake.objects.get()

    services.phone_intake_match(intake=unmatched, actor=world.tina, account=world.acme)

    record = PhoneIntake.objects.get()
    assert record.pk == unmatched.pk  # the same call, not a copy of it
    assert record.taken_by == world.sam  # who took the call stays on record
    assert record.case is not None


def test_a_call_already_matched_cannot_be_matched_again(world):
    intake = take_call(world, account=world.acme)
    with pytest.raises(CaseStateError, match="already matched"):
        services.phone_intake_match(intake=intake, actor=world.tina, account=world.globex)
    assert PhoneIntake.objects.get().account == world.acme


@pytest.mark.parametrize("blank", sorted(CALL))
def test_every_detail_of_the_call_is_required(world, olga, blank):
    # MISSION: CR-2 — company, contact name, phone, email and the description
    with pytest.raises(CaseStateError) as excinfo:
        take_call(world, account=world.acme, **{blank: "  "})

    assert str(excinfo.value) == "Fill in every detail of the call: company, contact name, phone, email and the issue."
    assert not PhoneIntake.objects.exists()
    assert not Case.objects.exists()
    assert not outbox().exists()


def test_a_case_of_another_account_cannot_take_the_call(world):
    globex_case = services.case_open(
        account=world.globex,
        actor=world.bob,
        subject="Webhooks late",
        description="Webhooks arrive an hour late.",
        severity=Case.Severity.NON_CRITICAL,
        category=Case.Category.BUG,
    )

    with pytest.raises(CaseStateError, match="another account"):
        take_call(world, account=world.acme, case=globex_case)
    with pytest.raises(CaseStateError, match="another account"):
        take_call(world, account=None, case=globex_case)

    assert not PhoneIntake.objects.exists()
    globex_case = Case.objects.get(pk=globex_case.pk)
    assert (globex_case.severity, globex_case.callback_due_at) == (Case.Severity.NON_CRITICAL, None)


def test_only_staff_take_severity_1_calls(world):
    with pytest.raises(CaseStateError):
        take_call(world, taken_by=world.alice, account=world.acme)
    assert not PhoneIntake.objects.exists()


def test_matching_accounts_finds_the_company_among_the_staff_members_accounts(world):
    stark = AccountFactory(name="Stark Industries", slug="stark-eu", primary_tam=world.tina)

    assert list(services.matching_accounts("acm", world.tina)) == [world.acme]
    assert list(services.matching_accounts(" ACM ", world.tina)) == [world.acme]
    assert list(services.matching_accounts("acm", world.tess)) == []  # not Tess's account
    assert list(services.matching_accounts("glob", world.tess)) == [world.globex]
    assert list(services.matching_accounts("-eu", world.root)) == [stark]  # by short name
    assert set(services.matching_accounts("e", world.sam)) == set()  # too short to search
