"""Severity and category change (issue 15): staff with a reason, or at the customer's request that staff accept
or decline; audited; the clocks recomputed from the rules of the new severity. After a workaround the update
cadence follows what was agreed (MISSION CR-3, CR-4): the 24/7 update clock does not run on."""

from datetime import UTC, datetime, timedelta

import pytest

from accounts.models import AuditEvent
from cases import services
from cases.models import Case, CaseEvent, PendingNotification
from cases.services.classification import pending_request
from tests.cases.conftest import PHONE, case_snapshot, open_case, refusal, reload
from tests.helpers import messages_of, visible_text

T0 = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Warsaw
MIN = timedelta(minutes=1)
K = CaseEvent.Kind
CRITICAL, NON_CRITICAL = Case.Severity.CRITICAL, Case.Severity.NON_CRITICAL
BUG, INFORMATION = Case.Category.BUG, Case.Category.INFORMATION


@pytest.fixture
def sam(client, world):
    client.force_login(world.sam)
    return client


def classify(client, case, **data):
    return client.post(f"/console/cases/{case.number}/classify/", data)


def test_staff_make_a_case_critical_with_a_reason_and_the_15_minute_clock_runs(sam, world, frozen):
    # MISSION: CR-0, CR-2, TAM-4
    frozen(T0)
    case = open_case(world)  # non-critical: 4 business hours
    frozen(T0 + 10 * MIN)

    response = classify(sam, case, severity=CRITICAL, category=BUG, reason="All sending stopped.")

    assert response.status_code == 302, messages_of(response)
    assert messages_of(sam.get(response["Location"])) == [
        "Severity and category saved; the clocks follow the new severity."
    ]
    case = reload(case)
    assert case.severity == CRITICAL
    assert case.response_due_at == T0 + 25 * MIN
    event = case.events.get(kind=K.CLASSIFICATION_CHANGED)
    assert (event.actor, event.body, event.public) == (world.sam, "All sending stopped.", True)
    assert event.details["before"] == {"severity": NON_CRITICAL, "category": BUG}
    row = AuditEvent.objects.get(kind=AuditEvent.Kind.CASE_CLASSIFICATION_CHANGED)
    assert (row.actor, row.account, row.target_id, row.details["reason"]) == (
        world.sam,
        world.acme,
        str(case.pk),
        "All sending stopped.",
    )
    # the TAMs are told at once, as when a critical case opens
    assert set(PendingNotification.objects.get(event=event).extra_staff) == {world.tina.pk, world.tom.pk}

    client_page = visible_text(sam.get(case.get_absolute_url()))
    assert "Non-critical · Software bug → Critical (Severity 1) · Software bug" in client_page


def test_a_case_made_critical_after_the_first_answer_gets_the_update_cadence(world, frozen):
    frozen(T0)
    case = open_case(world)
    services.case_reply(case=case, actor=world.sam, body="Looking into it.")
    frozen(T0 + 30 * MIN)
    services.case_change_classification(
        case=case, actor=world.sam, severity=CRITICAL, category=BUG, reason="Outage confirmed."
    )
    case = reload(case)
    assert (case.response_due_at, case.next_update_due_at) == (None, T0 + 90 * MIN)


def test_a_critical_case_made_non_critical_stops_the_24_7_clocks(world, frozen):
    frozen(T0)
    case = open_case(world, critical=True, callback=True)
    frozen(T0 + 5 * MIN)
    services.case_change_classification(
        case=case, actor=world.sam, severity=NON_CRITICAL, category=INFORMATION, reason="A question, not an outage."
    )
    case = reload(case)
    assert (case.callback_pending, case.next_update_due_at) == (False, None)
    # the response is owed since the case opened, now on the business-hours clock (Tue 10:00 + 4 h, Warsaw)
    assert case.response_due_at == T0 + timedelta(hours=4)


def test_a_change_needs_a_reason_and_staff_and_a_bug_for_critical(sam, world):
    case = open_case(world)
    before = case_snapshot(case)
    assert refusal(classify(sam, case, severity=CRITICAL, category=BUG, reason=" ")) == [
        "Why?: This field is required."
    ]
    assert refusal(classify(sam, case, severity=CRITICAL, category=INFORMATION, reason="Down.")) == [
        "A critical case is a software bug; choose “Software bug” as its category."
    ]
    assert case_snapshot(case) == before
    with pytest.raises(services.CaseStateError):
        services.case_change_classification(case=case, actor=world.alice, severity=CRITICAL, category=BUG, reason="x")
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_CLASSIFICATION_CHANGED).exists()


def test_the_customer_asks_and_staff_accept(client, world, frozen):
    frozen(T0)
    case = open_case(world)
    client.force_login(world.alice)
    url = f"{case.get_absolute_url()}classify/"
    response = client.post(url, {"severity": CRITICAL, "category": BUG, "reason": "Nothing is delivered."})
    assert response.status_code == 302
    assert messages_of(client.get(response["Location"])) == ["Your request is on the case; we will answer it here."]
    assert reload(case).severity == NON_CRITICAL  # a request, not a change
    assert "You asked for: Critical (Severity 1) · Software bug" in visible_text(client.get(case.get_absolute_url()))
    second = client.post(url, {"severity": CRITICAL, "category": BUG, "reason": "Again."})
    assert refusal(second) == ["A change you asked for is still waiting for our answer."]

    sam = client
    sam.force_login(world.sam)
    page = visible_text(sam.get(f"/console/cases/{case.number}/"))
    assert "The customer asks for another severity or category" in page
    frozen(T0 + 5 * MIN)
    response = sam.post(f"/console/cases/{case.number}/decide/", {"decision": "accept", "reason": "Agreed."})
    assert response.status_code == 302, messages_of(response)

    case = reload(case)
    assert case.severity == CRITICAL and case.response_due_at == T0 + 20 * MIN
    assert pending_request(case) is None
    assert case.events.get(kind=K.CLASSIFICATION_REQUESTED).details["state"] == "accepted"
    assert AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_CLASSIFICATION_CHANGED, actor=world.sam).count() == 1


def test_the_customer_asks_and_staff_decline_with_a_reason(sam, world):
    case = open_case(world)
    services.case_request_classification(
        case=case, actor=world.alice, severity=CRITICAL, category=BUG, reason="Feels urgent."
    )
    response = sam.post(f"/console/cases/{case.number}/decide/", {"decision": "decline", "reason": "Mail flows."})
    assert response.status_code == 302, messages_of(response)
    case = reload(case)
    assert case.severity == NON_CRITICAL
    assert case.events.get(kind=K.CLASSIFICATION_DECLINED).body == "Mail flows."
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.CASE_CLASSIFICATION_CHANGED).exists()

    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    sam.force_login(world.alice)
    page = visible_text(sam.get(case.get_absolute_url()))
    assert "Prośba o zmianę odrzucona" in page and "Prośba o: Krytyczne (Severity 1) · Błąd oprogramowania" in page


# --- after a workaround: the agreed cadence, not 24/7 for ever --------------------------------------------


def in_work(world) -> Case:
    case = open_case(world, critical=True, callback=True)
    services.case_log_callback(case=case, actor=world.sam, called_name="Alice", called_number=PHONE, outcome="reached")
    return reload(case)


def test_after_a_workaround_without_an_agreed_interval_no_update_clock_runs(world, frozen):
    # MISSION: CR-3, CR-4
    frozen(T0)
    case = in_work(world)
    assert case.next_update_due_at == T0 + 60 * MIN
    frozen(T0 + 20 * MIN)
    services.case_mark_workaround(case=case, actor=world.sam, body="Route through the backup relay.")
    assert reload(case).next_update_due_at is None

    frozen(T0 + 30 * MIN)
    services.case_reply(case=case, actor=world.sam, body="The backup relay holds.")
    services.case_post_update(case=case, actor=world.sam, nature="Workaround in place.", expected_resolution="Fri")
    case = reload(case)
    assert (case.next_update_due_at, case.next_deadline_at) == (None, None)


def test_after_a_workaround_updates_follow_the_interval_agreed_then(sam, world, frozen):
    frozen(T0)
    case = in_work(world)
    frozen(T0 + 20 * MIN)
    data = {"body": "Route through the backup relay.", "minutes": "1440", "agreed_with": "Alice, by phone"}
    response = sam.post(f"/console/cases/{case.number}/workaround/", data)
    assert response.status_code == 302, messages_of(response)
    case = reload(case)
    assert case.update_interval == timedelta(days=1)
    assert case.next_update_due_at == T0 + 20 * MIN + timedelta(days=1)
    assert "Updates from now on every 1440 minutes, agreed with Alice, by phone." in visible_text(
        sam.get(f"/console/cases/{case.number}/")
    )


def test_an_interval_agreed_after_the_workaround_starts_the_update_clock_again(world, frozen):
    frozen(T0)
    case = in_work(world)
    services.case_mark_workaround(case=case, actor=world.sam, body="Backup relay.")
    frozen(T0 + 2 * timedelta(hours=1))
    services.case_change_cadence(case=case, actor=world.sam, minutes=240, agreed_with="Alice")
    assert reload(case).next_update_due_at == T0 + timedelta(hours=6)
