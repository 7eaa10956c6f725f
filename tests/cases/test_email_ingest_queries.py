"""Inbound email's cost per message (issue 18: >= 100 messages/s per core on PostgreSQL). The statements one
message takes to be stored and routed are pinned, so a second read of the stored row, the raw bytes read back
right after they were written, or a timeline entry written and then updated with its sender check cannot
creep back. (The counts are inside the test's transaction: each savepoint is a statement too.)"""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.email import ingest
from cases.models import Case, CaseEvent, InboundMessage
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case

pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py

NOW = "2026-11-24 10:00 +00:00"  # a Tuesday, in business hours
# 30, then 27 before issue 18's second round; +1 (issues 19, 20): a status change's event; then 24 before the
# message was stored claimed (no claim UPDATE, no read of the row just written); 22 before the case was read
# locked as it was found (not read again by the reply's lock)
REPLY_MAX_QUERIES = 21
NEW_CASE_MAX_QUERIES = 23  # 33, 30, 25 (case.opened's event) before the same


def ingested(raw: bytes, limit: int, django_assert_max_num_queries):
    with django_assert_max_num_queries(limit), CaptureQueriesContext(connection) as seen:
        outcome = ingest.receive(raw)
    return outcome, [q["sql"] for q in seen.captured_queries]


def wasted(statements: list[str]) -> list[str]:
    """The statements the message never needs: its bytes read back, its timeline entry written twice or read
    back, the sender's team read more than once, a new case's empty SLA ledger read, the case number read after
    its increment, a savepoint around a service that already has one (the case's lock), the case read twice
    (found, then read again to be locked)."""
    team_reads = [sql for sql in statements if sql.startswith('SELECT "accounts_membership"."account_id"')]
    case_reads = [sql for sql in statements if sql.startswith('SELECT "cases_case"."id"')]
    savepoints = [sql for sql in statements if sql.startswith("SAVEPOINT")]
    return (
        [
            sql
            for sql in statements
            if '"cases_inboundmessage"."raw" AS' in sql
            or sql.startswith('UPDATE "cases_inboundmessage" SET "claimed_at"')  # the INSERT is the claim
            or sql.startswith('SELECT "cases_inboundmessage"."id", "cases_inboundmessage"."received_at"')
            or sql.startswith(('UPDATE "cases_caseevent"', 'SELECT "cases_caseevent"', 'SELECT "cases_casesequence"'))
            or (sql.startswith('SELECT "cases_clockrecord"') and 'INSERT INTO "cases_case" ' in "".join(statements))
        ]
        + team_reads[1:]
        + case_reads[1:]
        + savepoints[4:]
    )  # storing, processing, routing and the change: one each


@time_machine.travel(NOW, tick=False)
def test_a_reply_by_email_is_stored_and_routed_within_its_query_budget(world, django_assert_max_num_queries):
    # MISSION: CR-1 — the customer's reply reaches the case; issue 18: in at most REPLY_MAX_QUERIES statements
    case = open_case(world)
    outcome, statements = ingested(m.gmail_reply(), REPLY_MAX_QUERIES, django_assert_max_num_queries)
    assert (outcome.result, outcome.case) == ("appended", case.number)
    assert wasted(statements) == []
    (case_read,) = [sql for sql in statements if sql.startswith('SELECT "cases_case"."id"')]
    if connection.features.has_select_for_update:  # found locked: two changes to the case still queue up
        assert case_read.endswith('FOR UPDATE OF "cases_case"')
    reply = case.events.get(kind=CaseEvent.Kind.REPLY)
    assert reply.details["sender"]["how"] == "unverified"  # issue 14: the sender check, in the one INSERT
    assert reply.details["quoted"].startswith("On Tue, 24 Nov 2026")


@time_machine.travel(NOW, tick=False)
def test_a_new_case_by_email_is_stored_and_routed_within_its_query_budget(world, django_assert_max_num_queries):
    open_case(world)  # the account has had a case: its number sequence exists
    outcome, statements = ingested(
        m.plain(message_id="<new-1@acme.test>"), NEW_CASE_MAX_QUERIES, django_assert_max_num_queries
    )
    assert outcome.result == "created"
    assert wasted(statements) == []
    opened = CaseEvent.objects.get(case__number=outcome.case, kind=CaseEvent.Kind.OPENED)
    assert opened.details["sender"]["how"] == "unverified"
    assert opened.details["channel"] == "email"


@time_machine.travel(NOW, tick=False)
def test_a_duplicate_delivery_is_answered_from_the_first_copy(world):
    raw = m.plain(message_id="<dup-1@acme.test>")
    first = ingest.receive(raw)
    again = ingest.receive(raw)
    assert (again.result, again.case) == ("ignored", first.case)
    assert CaseEvent.objects.filter(case__number=first.case, kind=CaseEvent.Kind.OPENED).count() == 1


@time_machine.travel(NOW, tick=False)
def test_a_stalled_delivery_whose_claim_was_taken_over_does_not_route_the_message_again(world):
    """A new message is stored claimed by its delivery. Should that delivery stall past ``CLAIM_FOR`` and the
    beat process the message meanwhile, the delivery, waking up, finds the row no longer its own: it answers
    with what was done and opens no second case."""
    raw = m.plain(message_id="<stalled-1@acme.test>")
    message, is_new = ingest.store(raw)
    assert is_new and message.attempts == 1 and message.claimed_at is not None
    with time_machine.travel("2026-11-24 10:06 +00:00", tick=False):
        taken_over = ingest.process(message.pk)  # what recovery does once the claim has run out
    assert taken_over.result == "created"
    woken = ingest.after_store(message, is_new=is_new, raw=raw)
    assert (woken.result, woken.case) == ("created", taken_over.case)
    assert Case.objects.filter(subject="Mail to Gmail bounces").count() == 1
    stored = InboundMessage.objects.get(pk=message.pk)
    assert (stored.attempts, stored.status) == (2, InboundMessage.Status.PROCESSED)
