"""Emails of a Severity 1 call (issue 15): one per person, in each reader's language, and the on-duty agent's
carries whom to call back and by when, in the reader's own time zone (MISSION CR-2)."""

from collections import Counter

import pytest

from cases import services
from tests.cases.factories import OnCallShiftFactory
from tests.cases.outbox import outbox

CALL = {
    "company_name": "ACME sp. z o.o.",
    "contact_name": "Alice Andrzejewska",
    "contact_phone": "+48 600 100 200",
    "contact_email": "alice@acme.test",
    "description": "Nothing has been delivered since 10:00; the API answers 503.",
}


@pytest.fixture
def call(world, frozen):
    frozen("2026-06-10 12:00")  # 14:00 in Warsaw, 08:00 in New York
    olga = OnCallShiftFactory(
        agent__email="olga@support.test", agent__timezone="America/New_York", agent__language="en"
    ).agent
    return olga


def take(world, **overrides):
    return services.phone_intake_record(taken_by=world.sam, account=world.acme, **(CALL | overrides))


def test_a_phone_intake_sends_one_email_per_person(world, call):
    # on main: the caller got three (opened, acknowledgement, call taken), each TAM and agent two
    take(world)

    per_person = Counter(addr for row in outbox().all() for addr in row.to)
    assert per_person == {"alice@acme.test": 1, "olga@support.test": 1, "tina@tam.test": 1, "tom@tam.test": 1}


def test_the_on_duty_agents_email_carries_the_callback_number_and_deadline_in_her_zone(world, call):
    take(world)

    mail = next(row for row in outbox().all() if row.to == ["olga@support.test"])
    assert "Call back: Alice Andrzejewska, +48 600 100 200 — by Wed 10 Jun 08:15 EDT" in mail.body
    assert "08:15 EDT" in mail.html_body
    tina = next(row for row in outbox().all() if "tina@tam.test" in row.to)
    assert "by Wed 10 Jun 14:15 CEST" in tina.body  # the TAM reads Warsaw time
    caller = next(row for row in outbox().all() if row.to == ["alice@acme.test"])
    assert "Call back:" not in caller.body  # the customer is not told to call herself


def test_the_intakes_subject_is_in_each_readers_language(world, call):
    world.tina.language = "pl"
    world.tina.save(update_fields=["language"])

    take(world)

    subjects = {addr: row.subject for row in outbox().all() for addr in row.to}
    assert subjects["tina@tam.test"].startswith("[ACME-000001] KRYTYCZNE: Połączenie Severity 1: ACME sp. z o.o.")
    assert subjects["tom@tam.test"].startswith("[ACME-000001] CRITICAL: Severity 1 call: ACME sp. z o.o.")


def test_an_unmatched_calls_email_is_in_each_readers_language_and_zone(world, frozen):
    frozen("2026-06-13 01:00")  # a rota gap: every TAM is paged
    world.tina.language = "pl"
    world.tina.save(update_fields=["language"])
    world.tom.timezone = "America/New_York"
    world.tom.save(update_fields=["timezone"])

    services.phone_intake_record(taken_by=world.sam, **(CALL | {"company_name": "Initech"}))

    rows = {addr: row for row in outbox().filter(kind="case.phone_intake_unmatched") for addr in row.to}
    assert rows["tina@tam.test"].subject == "POŁĄCZENIE SEVERITY 1 — nieznana firma: Initech"
    assert "03:15 CEST" in rows["tina@tam.test"].body
    assert rows["tom@tam.test"].subject == "SEVERITY 1 CALL — unknown company: Initech"
    assert "Fri 12 Jun 21:15 EDT" in rows["tom@tam.test"].body
