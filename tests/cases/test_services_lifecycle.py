"""Opening cases, and every status change through the service functions with each role
(cases/services/lifecycle.py). The deadlines a case is opened with and who is told: tests/cases/test_services.py."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cases import services
from cases.models import Case, CaseEvent
from cases.services import CaseStateError
from tests.accounts.factories import AccountFactory
from tests.cases.conftest import emailed, open_case
from tests.cases.outbox import outbox

NEW, IN_PROGRESS, WAITING, PROPOSED, RESOLVED = Case.Status.values
K = CaseEvent.Kind


def case_in(world, status: str) -> Case:
    """A case opened by Alice and brought to ``status`` the way people do it."""
    case = open_case(world)
    if status in (IN_PROGRESS, WAITING):
        services.case_start_work(case=case, actor=world.sam)
    if status == WAITING:
        services.case_wait_on_customer(case=case, actor=world.sam, body="Please send one bounced message.")
    if status in (PROPOSED, RESOLVED):
        services.case_propose_resolution(case=case, actor=world.sam, summary="Gmail lifted the temporary block.")
    if status == RESOLVED:
        services.case_accept_resolution(case=case, actor=world.alice)
    case = Case.objects.get(pk=case.pk)
    assert case.status == status
    return case


def new_events(case, after_id: int):
    return [(e.kind, e.actor_id) for e in CaseEvent.objects.filter(case=case, id__gt=after_id).order_by("id")]


def last_event_id(case) -> int:
    return CaseEvent.objects.filter(case=case).order_by("-id").values_list("id", flat=True).first() or 0


# --- numbering ------------------------------------------------------------------------------------


def test_cases_are_numbered_per_account(world):
    first, second = open_case(world), open_case(world)
    globex = open_case(world, account=world.globex, actor=world.bob)

    assert [first.number, second.number, globex.number] == ["ACME-000001", "ACME-000002", "GLOBEX-000001"]
    assert Case.objects.get(pk=second.pk).number == "ACME-000002"


def test_accounts_whose_short_names_share_a_prefix_both_get_case_numbers(world):
    # Two real companies whose slugs agree in their first 12 letters must both be able to open cases.
    traders = AccountFactory(name="Northwind Traders", slug="northwind-traders")
    trading = AccountFactory(name="Northwind Trading", slug="northwind-trading")

    first = open_case(world, account=traders, actor=world.sam)
    second = open_case(world, account=trading, actor=world.sam)

    assert first.number != second.number
    assert Case.objects.filter(account=trading).count() == 1


# --- opening: who may, what is written ------------------------------------------------------------


def test_opening_writes_the_case_the_opening_event_and_the_automatic_acknowledgement(world):
    # MISSION: NC-1
    case = open_case(world)

    case = Case.objects.get(pk=case.pk)
    # The reporter is reached as a member (re-checked on every email); contact_email is only for people
    # without a login, such as a Severity 1 caller.
    assert (case.status, case.reporter, case.contact_email) == (NEW, world.alice, "")
    assert list(case.followers.all()) == [world.alice]
    assert [(e.kind, e.actor_id) for e in case.events.order_by("id")] == [
        (K.OPENED, world.alice.pk),
        (K.ACKNOWLEDGED, None),
    ]
    # the acknowledgement is not a response (NC-2): the clock still runs
    assert case.first_responded_at is None and case.response_due_at is not None


def test_a_customer_of_another_account_cannot_open_a_case_there(world):
    with pytest.raises(CaseStateError, match="not on this account's team"):
        open_case(world, account=world.acme, actor=world.bob)

    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()
    assert not outbox().exists()


@pytest.mark.parametrize(("subject", "description"), [("", "Details"), ("Subject", "   ")])
def test_a_case_needs_a_subject_and_a_description(world, subject, description):
    with pytest.raises(CaseStateError, match="subject and a description"):
        services.case_open(
            account=world.acme,
            actor=world.alice,
            subject=subject,
            description=description,
            severity=Case.Severity.NON_CRITICAL,
            category=Case.Category.BUG,
        )
    assert not Case.objects.exists()


def test_a_callback_needs_a_phone_number(world):
    with pytest.raises(CaseStateError, match="phone number"):
        open_case(world, severity=Case.Severity.CRITICAL, callback_requested=True, contact_phone=" ")
    assert not Case.objects.exists()


# --- every status change through the services, with each role ---------------------------------------

CHANGES = {
    "start": (lambda case, who: services.case_start_work(case=case, actor=who), IN_PROGRESS, K.STATUS_CHANGED),
    "wait": (
        lambda case, who: services.case_wait_on_customer(case=case, actor=who, body="Send the headers, please."),
        WAITING,
        K.STATUS_CHANGED,
    ),
    "propose": (
        lambda case, who: services.case_propose_resolution(case=case, actor=who, summary="Block lifted."),
        PROPOSED,
        K.RESOLUTION_PROPOSED,
    ),
    "accept": (
        lambda case, who: services.case_accept_resolution(case=case, actor=who),
        RESOLVED,
        K.RESOLUTION_ACCEPTED,
    ),
    "agree": (
        lambda case, who: services.case_record_agreement(case=case, actor=who, note="Alice agreed by phone, 10:05."),
        RESOLVED,
        K.AGREEMENT_RECORDED,
    ),
    "reject": (
        lambda case, who: services.case_reject_resolution(case=case, actor=who, reason="Still bouncing."),
        IN_PROGRESS,
        K.RESOLUTION_REJECTED,
    ),
    "reopen": (
        lambda case, who: services.case_reopen(case=case, actor=who, reason="It came back."),
        IN_PROGRESS,
        K.REOPENED,
    ),
}
STAFF = {"sam", "tina", "root"}
ALLOWED = {
    ("start", NEW): STAFF,
    ("start", WAITING): STAFF,
    ("wait", NEW): STAFF,
    ("wait", IN_PROGRESS): STAFF,
    ("propose", NEW): STAFF,
    ("propose", IN_PROGRESS): STAFF,
    ("propose", WAITING): STAFF,
    ("accept", PROPOSED): {"alice"},  # the customer accepts (NC-5, CR-5)
    ("agree", PROPOSED): {"tina", "tom", "root"},  # the account's TAMs (and a superuser), not an agent
    ("reject", PROPOSED): {"alice"},
    ("reopen", RESOLVED): {"alice", "sam", "tina", "root"},
}
# "start" from a proposal or a resolved case has its own tests below; a customer's "start" on a waiting case
# and staff withdrawing a proposal with "start" are left out of the matrix.
NOT_IN_MATRIX = {("start", PROPOSED), ("start", RESOLVED), ("start", WAITING, "alice")}
MATRIX = [
    (change, status, who)
    for change in CHANGES
    for status in Case.Status.values
    for who in ("alice", "sam", "tina", "root", *(("tom", "tess") if change == "agree" else ()))
    if (change, status) not in NOT_IN_MATRIX and (change, status, who) not in NOT_IN_MATRIX
]


@pytest.mark.parametrize(("change", "status", "who"), MATRIX, ids=["-".join(cell) for cell in MATRIX])
def test_status_changes_through_the_services(world, change, status, who):
    call, target, kind = CHANGES[change]
    actor = getattr(world, who)
    case = case_in(world, status)
    mark = last_event_id(case)

    if who in ALLOWED.get((change, status), set()):
        call(case, actor)
        assert Case.objects.get(pk=case.pk).status == target
        assert new_events(case, mark) == [(kind, actor.pk)]  # exactly one event, with its actor
    else:
        with pytest.raises(CaseStateError):
            call(case, actor)
        assert Case.objects.get(pk=case.pk).status == status
        assert new_events(case, mark) == []


@pytest.mark.parametrize("who", ["alice", "sam", "tina"])
def test_starting_work_does_not_reopen_a_resolved_case(world, who):
    # Reopening needs a reason (case_reopen); "Start work" on a stale page must not bring a case back silently.
    case = case_in(world, RESOLVED)
    resolved_at = case.resolved_at

    with pytest.raises(CaseStateError):
        services.case_start_work(case=case, actor=getattr(world, who))

    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.resolved_at) == (RESOLVED, resolved_at)


def test_a_customer_cannot_reject_a_proposal_without_a_reason_by_starting_work(world):
    # MISSION: NC-5 — rejecting says what is still wrong and restarts the response clock
    case = case_in(world, PROPOSED)

    with pytest.raises(CaseStateError):
        services.case_start_work(case=case, actor=world.alice)

    assert Case.objects.get(pk=case.pk).status == PROPOSED


def test_starting_work_assigns_the_case_to_the_agent(world):
    case = open_case(world)
    services.case_start_work(case=case, actor=world.sam)
    assert Case.objects.get(pk=case.pk).assignee == world.sam


def test_rejecting_needs_a_reason(world):
    case = case_in(world, PROPOSED)

    with pytest.raises(CaseStateError, match="what is still wrong"):
        services.case_reject_resolution(case=case, actor=world.alice, reason="  ")

    assert Case.objects.get(pk=case.pk).status == PROPOSED


def test_rejecting_returns_the_case_to_work_and_restarts_the_response_clock(world, frozen):
    # MISSION: NC-5
    # 15:30 on a Friday in Warsaw: 4 business hours on Acme's default calendar (weekdays 09:00-17:00 there)
    # are 1.5 h on Friday and 2.5 h on Monday
    frozen("2027-05-14 13:30")
    case = case_in(world, PROPOSED)
    assert case.response_due_at is None

    services.case_reject_resolution(case=case, actor=world.alice, reason="Still bouncing.")

    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.resolution_proposed_at) == (IN_PROGRESS, None)
    assert case.response_due_at == datetime(2027, 5, 17, 11, 30, tzinfo=ZoneInfo("Europe/Warsaw"))
    assert case.sla_check_at == case.response_due_at - timedelta(minutes=30)  # the warning


def test_proposing_needs_a_summary_and_staff(world):
    case = case_in(world, IN_PROGRESS)
    with pytest.raises(CaseStateError, match="Summarise"):
        services.case_propose_resolution(case=case, actor=world.sam, summary=" ")
    with pytest.raises(CaseStateError, match="Only staff"):
        services.case_propose_resolution(case=case, actor=world.alice, summary="I fixed it myself.")
    assert Case.objects.get(pk=case.pk).status == IN_PROGRESS


def test_recording_agreement_needs_a_note(world):
    case = case_in(world, PROPOSED)
    with pytest.raises(CaseStateError, match="who agreed"):
        services.case_record_agreement(case=case, actor=world.tina, note="")
    assert Case.objects.get(pk=case.pk).status == PROPOSED


def test_resolving_stops_every_clock(world):
    case = open_case(world, severity=Case.Severity.CRITICAL, callback_requested=True, contact_phone="+48 600 1")
    services.case_propose_resolution(case=case, actor=world.sam, summary="Fixed.")
    services.case_accept_resolution(case=Case.objects.get(pk=case.pk), actor=world.alice)

    case = Case.objects.get(pk=case.pk)
    assert case.status == RESOLVED and case.resolved_at is not None
    assert (case.callback_due_at, case.response_due_at, case.next_update_due_at) == (None, None, None)
    assert (case.next_deadline_at, case.sla_check_at) == (None, None)


def test_reopening_needs_a_reason(world):
    case = case_in(world, RESOLVED)
    with pytest.raises(CaseStateError, match="why"):
        services.case_reopen(case=case, actor=world.alice, reason="")
    assert Case.objects.get(pk=case.pk).status == RESOLVED


def test_a_customer_reopening_clears_the_resolution_and_is_owed_a_response(world):
    case = case_in(world, RESOLVED)

    services.case_reopen(case=case, actor=world.alice, reason="It came back this morning.")

    case = Case.objects.get(pk=case.pk)
    assert (case.status, case.resolved_at) == (IN_PROGRESS, None)
    assert case.response_due_at is not None and case.sla_check_at is not None


# --- assignment and workaround --------------------------------------------------------------------


def test_assigning_records_who_had_it_before_and_tells_the_new_agent(world):
    # MISSION: NC-4
    case = open_case(world)
    services.case_assign(case=case, actor=world.sam, assignee=world.sam)
    mark = last_event_id(case)
    outbox().all().delete()

    services.case_assign(case=Case.objects.get(pk=case.pk), actor=world.sam, assignee=world.tina)

    event = CaseEvent.objects.get(case=case, id__gt=mark)
    assert (event.kind, event.actor, event.public) == (K.ASSIGNED, world.sam, False)
    assert event.details == {"before": "Sam Okafor", "after": "Tina Nowak"}
    assert emailed() == {"tina@tam.test"}


def test_assigning_to_the_same_agent_again_writes_nothing(world):
    case = open_case(world)
    services.case_assign(case=case, actor=world.sam, assignee=world.sam)
    mark = last_event_id(case)

    services.case_assign(case=Case.objects.get(pk=case.pk), actor=world.sam, assignee=world.sam)

    assert new_events(case, mark) == []


def test_only_staff_assign_and_only_to_staff(world):
    case = open_case(world)
    with pytest.raises(CaseStateError):
        services.case_assign(case=case, actor=world.alice, assignee=world.sam)
    with pytest.raises(CaseStateError):
        services.case_assign(case=case, actor=world.sam, assignee=world.arthur)
    assert Case.objects.get(pk=case.pk).assignee is None
    assert not CaseEvent.objects.filter(kind=K.ASSIGNED).exists()


def test_a_workaround_is_a_milestone_of_open_critical_cases(world):
    # MISSION: CR-3
    critical = open_case(world, severity=Case.Severity.CRITICAL)
    services.case_mark_workaround(case=critical, actor=world.sam, body="Route gmail.com through pool B.")
    assert Case.objects.get(pk=critical.pk).workaround_delivered_at is not None
    assert CaseEvent.objects.filter(case=critical, kind=K.WORKAROUND_DELIVERED, actor=world.sam).count() == 1

    plain = open_case(world)
    with pytest.raises(CaseStateError):
        services.case_mark_workaround(case=plain, actor=world.sam, body="Route gmail.com through pool B.")
    assert not CaseEvent.objects.filter(case=plain, kind=K.WORKAROUND_DELIVERED).exists()
