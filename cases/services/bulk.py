"""Bulk actions of the staff queue (issue 15): one action on many cases, each case through its own service.

Each case is checked and changed on its own (its own transaction, its own timeline event, which is the case's
audit trail): one that the state machine or the access rules refuse is reported with the reason and the
others go ahead. A case the person cannot see is "not found", exactly like a number that does not exist.
"""

import logging
from dataclasses import dataclass

from django.db import DatabaseError
from django.utils.translation import gettext as _

from cases.models import Case
from cases.transitions import CaseStateError

from .following import case_follow
from .lifecycle import case_assign, case_propose_resolution, case_start_work, case_wait_on_customer

log = logging.getLogger(__name__)
MAX_CASES = 100


@dataclass(frozen=True)
class Outcome:
    number: str
    done: bool
    message: str


def _assign(case, actor, *, assignee, body):
    case_assign(case=case, actor=actor, assignee=assignee)


def _start(case, actor, *, assignee, body):
    case_start_work(case=case, actor=actor)


def _wait(case, actor, *, assignee, body):
    case_wait_on_customer(case=case, actor=actor, body=body)


def _propose(case, actor, *, assignee, body):
    case_propose_resolution(case=case, actor=actor, summary=body)


def _follow(case, actor, *, assignee, body):
    case_follow(case=case, user=actor, follow=True)


def _unfollow(case, actor, *, assignee, body):
    case_follow(case=case, user=actor, follow=False)


ACTIONS = {
    "assign": _assign,
    "start": _start,
    "wait": _wait,
    "propose": _propose,
    "follow": _follow,
    "unfollow": _unfollow,
}


def cases_bulk_change(*, actor, numbers: list[str], action: str, assignee=None, body: str = "") -> list[Outcome]:
    """Apply ``action`` to each case named, one by one; an outcome per case, in the order given.

    Deliberately not one transaction: every case's change is its own service call (atomic, row-locked,
    audited on the case's timeline), so a refusal on one case never undoes or stops the others."""
    if action not in ACTIONS:
        raise CaseStateError(_("Choose what to do with the selected cases."))
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))[:MAX_CASES]
    if not wanted:
        raise CaseStateError(_("Select at least one case."))
    found = Case.objects.visible_to(actor).for_page().in_bulk(wanted, field_name="number")
    outcomes = []
    for number in wanted:
        case = found.get(number)
        if case is None:
            outcomes.append(Outcome(number, False, _("No such case.")))
            continue
        try:
            ACTIONS[action](case, actor, assignee=assignee, body=body)
        except CaseStateError as exc:
            outcomes.append(Outcome(number, False, str(exc)))
        except DatabaseError:
            log.exception("bulk %s failed on case %s", action, number)
            outcomes.append(Outcome(number, False, _("The change could not be saved; try this case again.")))
        else:
            outcomes.append(Outcome(number, True, _("Done.")))
    return outcomes
