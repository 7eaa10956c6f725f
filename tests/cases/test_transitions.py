"""The case state machine (cases/transitions.py), checked cell by cell against the rules written out by hand
below from MISSION NC-3, NC-5, CR-5: every (from, to, role) over the five statuses and three roles."""

from itertools import product

import pytest

from cases import transitions
from cases.models import Case
from cases.transitions import CUSTOMER, IN_PROGRESS, NEW, PROPOSED, RESOLVED, STAFF, TAM, WAITING, CaseStateError

STATUSES = (NEW, IN_PROGRESS, WAITING, PROPOSED, RESOLVED)
ACTORS = (CUSTOMER, STAFF, TAM)

# The rules as a person would state them, independent of how TRANSITIONS is written:
EXPECTED = {
    # staff take a new case into work, or ask the customer for information (NC-3)
    (NEW, IN_PROGRESS): {STAFF, TAM},
    (NEW, WAITING): {STAFF, TAM},
    (IN_PROGRESS, WAITING): {STAFF, TAM},
    # the customer answers (NC-3); staff may also take the case back
    (WAITING, IN_PROGRESS): {CUSTOMER, STAFF, TAM},
    # only staff propose a resolution (NC-5, CR-5)
    (NEW, PROPOSED): {STAFF, TAM},
    (IN_PROGRESS, PROPOSED): {STAFF, TAM},
    (WAITING, PROPOSED): {STAFF, TAM},
    # the customer accepts, or the TAM records the customer's agreement; a plain agent never closes a case
    (PROPOSED, RESOLVED): {CUSTOMER, TAM},
    # the customer rejects; staff may withdraw the proposal
    (PROPOSED, IN_PROGRESS): {CUSTOMER, STAFF, TAM},
    # anyone may reopen a resolved case
    (RESOLVED, IN_PROGRESS): {CUSTOMER, STAFF, TAM},
}

CELLS = list(product(STATUSES, STATUSES, ACTORS))


def test_the_five_statuses_are_the_models_statuses():
    assert set(STATUSES) == set(Case.Status.values)


def test_the_table_names_only_known_statuses_and_roles():
    for (current, target), roles in transitions.TRANSITIONS.items():
        assert current in STATUSES and target in STATUSES
        assert roles <= set(ACTORS)


@pytest.mark.parametrize(("current", "target", "role"), CELLS, ids=["-".join(cell) for cell in CELLS])
def test_allowed_exactly_when_the_rules_say_so(current, target, role):
    expected = role in EXPECTED.get((current, target), set())

    assert transitions.allowed(current, target, role) is expected


@pytest.mark.parametrize(("current", "target", "role"), CELLS, ids=["-".join(cell) for cell in CELLS])
def test_check_raises_the_given_message_when_not_allowed(current, target, role):
    message = f"You cannot move this case from {current} to {target}."
    if role in EXPECTED.get((current, target), set()):
        assert transitions.check(current, target, role, message) is None
    else:
        with pytest.raises(CaseStateError) as excinfo:
            transitions.check(current, target, role, message)
        assert str(excinfo.value) == message


def test_nothing_closes_a_case_except_an_agreed_proposal():
    # MISSION: NC-5, CR-5 — resolved only from "resolution proposed", and never by a plain agent
    into_resolved = {current for (current, target) in transitions.TRANSITIONS if target == RESOLVED}
    assert into_resolved == {PROPOSED}
    assert not transitions.allowed(PROPOSED, RESOLVED, STAFF)


def test_a_customer_never_proposes_a_resolution_nor_parks_a_case():
    for current in STATUSES:
        assert not transitions.allowed(current, PROPOSED, CUSTOMER)
        assert not transitions.allowed(current, WAITING, CUSTOMER)


def test_an_unknown_role_is_allowed_nothing():
    assert not any(transitions.allowed(current, target, "visitor") for current, target in transitions.TRANSITIONS)
