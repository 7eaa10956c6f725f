"""``@locked`` and ``holding`` (cases/services/common.py): a change works on the case as locked in its
transaction. Read again when the caller's copy may be stale; not read again when the caller locked it itself in
the same transaction (inbound email, issue 18)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, CaseEvent
from cases.services.common import holding
from tests.cases.conftest import open_case


def case_reads(seen) -> list[str]:
    return [q["sql"] for q in seen.captured_queries if q["sql"].startswith('SELECT "cases_case"."id"')]


def test_a_change_reads_the_case_again_under_its_lock_and_brings_the_callers_copy_up_to_date(world):
    case = open_case(world)
    stale = Case.objects.get(pk=case.pk)
    Case.objects.filter(pk=case.pk).update(subject="Renamed meanwhile")
    with CaptureQueriesContext(connection) as seen:
        services.case_reply(case=stale, actor=world.tina, body="Looking at it now.")
    assert len(case_reads(seen)) == 1
    assert stale.subject == "Renamed meanwhile"  # the caller's copy now holds what the lock read
    assert stale.status == Case.Status.IN_PROGRESS


def test_a_case_held_in_its_transaction_is_changed_as_it_is_without_a_second_read(world):
    case = open_case(world)
    with transaction.atomic():
        held = Case.objects.for_change(lean=True).get(pk=case.pk)
        with holding(held), CaptureQueriesContext(connection) as seen:
            services.case_reply(case=held, actor=world.tina, body="Looking at it now.")
            services.case_reply(case=held, actor=world.alice, body="Thank you.")
    assert case_reads(seen) == []
    assert held.status == Case.Status.IN_PROGRESS
    assert Case.objects.get(pk=case.pk).status == Case.Status.IN_PROGRESS
    bodies = list(case.events.filter(kind=CaseEvent.Kind.REPLY).order_by("pk").values_list("body", flat=True))
    assert bodies == ["Looking at it now.", "Thank you."]


def test_another_instance_of_the_held_case_is_read_again(world):
    case = open_case(world)
    with transaction.atomic():
        held = Case.objects.for_change(lean=True).get(pk=case.pk)
        other = Case.objects.get(pk=case.pk)
        with holding(held), CaptureQueriesContext(connection) as seen:
            services.case_reply(case=other, actor=world.tina, body="Looking at it now.")
    assert len(case_reads(seen)) == 1


def test_holding_needs_the_transaction_the_case_was_locked_in():
    # No database here (so no test transaction around it): outside a transaction no lock can be held.
    with pytest.raises(RuntimeError), holding(Case(pk=1)):
        pass
