"""Merging a duplicate case into another and linking related cases (issue 15; MISSION NC-4, CR-3, CR-4).

A merge closes the duplicate (B) as "merged into A": its clocks stop (a merged case never warns or breaches),
its people follow A, both timelines say where the conversation went, and mail answering B threads onto A
(``Case.destination``). Both cases are of one account; a case is never merged into itself or into a case
that was itself merged. There is no undo. Links are symmetrical and removable, within one account.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.access import can
from accounts.audit import audit
from accounts.models import AuditEvent, Membership
from cases.models import Case, CaseEvent
from cases.notifications import notify
from cases.transitions import CaseStateError
from core.text import Msg, to_json

from . import clocks
from .common import record, save

# What the two timelines (and the email to B's people) say, in the reader's language.
WENT_TO = gettext_noop("This case was merged into %(number)s; the conversation goes on there.")
CAME_FROM = gettext_noop("%(number)s was merged into this case.")


def _lock_pair(case: Case, other: Case) -> tuple[Case, Case]:
    """Both rows locked, always in the order of their ids (two merges crossing never deadlock)."""
    rows = {
        c.pk: c
        for c in Case.objects.select_for_update(of=("self",))
        .select_related("account__primary_tam", "account__backup_tam", "assignee", "reporter")
        .filter(pk__in=sorted({case.pk, other.pk}))
        .order_by("pk")
    }
    return rows[case.pk], rows[other.pk]


def _check_pair(case: Case, other: Case, actor) -> None:
    if not (actor.is_staff and can(actor, "case.merge", case.account)):
        raise CaseStateError(_("This case is not on an account you can work with."))
    if case.pk == other.pk:
        raise CaseStateError(_("A case cannot be merged into or linked to itself."))
    if case.account_id != other.account_id:
        raise CaseStateError(_("Only cases of the same account can be merged or linked."))


@transaction.atomic
def case_merge(*, case: Case, into: Case, actor) -> Case:
    """Merge ``case`` (the duplicate) into ``into``; returns ``into``."""
    _check_pair(case, into, actor)
    duplicate, target = _lock_pair(case, into)
    if duplicate.is_merged:
        raise CaseStateError(_("%(number)s is already merged.") % {"number": duplicate.number})
    if target.is_merged:
        raise CaseStateError(
            _("%(number)s was merged into another case; merge into that one.") % {"number": target.number}
        )
    if not target.is_open:
        raise CaseStateError(_("%(number)s is resolved; reopen it before merging into it.") % {"number": target.number})
    if not duplicate.is_open:
        raise CaseStateError(
            _("%(number)s is resolved; there is nothing left to merge.") % {"number": duplicate.number}
        )
    now = timezone.now()
    duplicate.merged_into = target
    duplicate.status = Case.Status.RESOLVED
    duplicate.resolved_at = now
    clocks.stop_all(duplicate)  # MISSION: CR-4 — the clocks run on A; B never warns nor breaches
    save(duplicate, ["merged_into", "status", "resolved_at", *clocks.CLOCK_FIELDS], now)
    members = Membership.objects.filter(account_id=target.account_id).values_list("user_id", flat=True)
    # the staff who followed B too (issue 15): the same account, so they work on A as they did on B
    people = list(duplicate.followers.filter(Q(pk__in=members) | Q(is_staff=True)))
    if duplicate.reporter_id in set(members):
        people.append(duplicate.reporter)
    target.followers.add(*people)  # MISSION: NC-4 — whoever followed B hears about A from now on
    went, came = Msg(WENT_TO, {"number": target.number}), Msg(CAME_FROM, {"number": duplicate.number})
    gone = record(duplicate, actor=actor, kind=CaseEvent.Kind.MERGED_INTO, into=target.number, text=to_json(went))
    record(target, actor=actor, kind=CaseEvent.Kind.MERGED_FROM, merged=duplicate.number, text=to_json(came))
    audit(
        actor=actor,
        account=target.account,
        kind=AuditEvent.Kind.CASES_MERGED,
        target=duplicate,
        merged=duplicate.number,
        into=target.number,
    )
    notify(duplicate, gone)  # B's people learn where their case went, in B's thread
    for stale in (case, into):
        stale.refresh_from_db()
    return into


@transaction.atomic
def case_link(*, case: Case, other: Case, actor) -> None:
    _check_pair(case, other, actor)
    if case.related_cases.filter(pk=other.pk).exists():
        raise CaseStateError(_("%(number)s is already linked to this case.") % {"number": other.number})
    case.related_cases.add(other)
    _record_link(case, other, actor, CaseEvent.Kind.LINKED, AuditEvent.Kind.CASES_LINKED)


@transaction.atomic
def case_unlink(*, case: Case, other: Case, actor) -> None:
    _check_pair(case, other, actor)
    if not case.related_cases.filter(pk=other.pk).exists():
        raise CaseStateError(_("%(number)s is not linked to this case.") % {"number": other.number})
    case.related_cases.remove(other)
    _record_link(case, other, actor, CaseEvent.Kind.UNLINKED, AuditEvent.Kind.CASES_UNLINKED)


def _record_link(case: Case, other: Case, actor, kind: str, audit_kind: str) -> None:
    # Staff-only timeline rows on both cases; the links themselves are shown to the account's people too.
    record(case, actor=actor, kind=kind, public=False, other=other.number)
    record(other, actor=actor, kind=kind, public=False, other=case.number)
    audit(actor=actor, account=case.account, kind=audit_kind, target=case, cases=[case.number, other.number])
