"""The TAM as the escalation path (MISSION TAM-4): a TAM takes up a missed deadline ("I'm on it"), recorded
on the case; a customer escalates a case to their TAM with a reason. Which escalations were met since is
read from the clocks: the deadline an alert was about no longer runs."""

from django.utils import timezone
from django.utils.translation import gettext as _

from cases import transitions
from cases.models import Case, CaseEvent, SlaAlert
from cases.notifications import notify
from cases.transitions import CaseStateError

from . import clocks
from .common import locked, record, role_for, save


def met_since(alert: SlaAlert) -> bool:
    """The deadline the alert was about has been met (or stopped) since: it is no longer the running one."""
    case = alert.case
    return not case.is_open or dict(clocks.deadlines(case).items()).get(alert.clock) != alert.due_at


@locked
def case_acknowledge_escalation(*, case: Case, actor, alert_id: int) -> SlaAlert:
    """The account's TAM takes up a missed deadline. Doing it twice changes nothing."""
    if role_for(actor, case) != transitions.TAM:
        raise CaseStateError(_("Only the account's TAM takes up an escalation."))
    alert = SlaAlert.objects.filter(case=case, pk=alert_id, level=SlaAlert.Level.BREACH).first()
    if alert is None:
        raise CaseStateError(_("There is no such escalation on this case."))
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_at, alert.acknowledged_by = timezone.now(), actor
    alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
    record(
        case,
        actor=actor,
        kind=CaseEvent.Kind.ESCALATION_ACKNOWLEDGED,
        public=False,
        clock=alert.clock,
        due_at=alert.due_at.isoformat(),
    )
    save(case, [])
    return alert


@locked
def case_acknowledge_customer_escalation(*, case: Case, actor, escalation_id: int) -> CaseEvent:
    """MISSION: TAM-4 — the account's TAM takes up what the customer escalated ("I'm on it"): recorded on the
    case, where the customer sees it, and on the escalation itself. Doing it twice changes nothing."""
    if role_for(actor, case) != transitions.TAM:
        raise CaseStateError(_("Only the account's TAM takes up an escalation."))
    escalation = CaseEvent.objects.filter(case=case, pk=escalation_id, kind=CaseEvent.Kind.ESCALATED).first()
    if escalation is None:
        raise CaseStateError(_("There is no such escalation on this case."))
    if escalation.details.get("taken_up_at"):
        return escalation
    now = timezone.now()
    escalation.details.update(taken_up_at=now.isoformat(), taken_up_by=actor.pk, taken_up_name=actor.full_name)
    escalation.save(update_fields=["details"])
    event = record(case, actor=actor, kind=CaseEvent.Kind.ESCALATION_ACKNOWLEDGED, escalation=escalation.pk)
    save(case, [])
    notify(case, event)
    return escalation


@locked
def case_escalate(*, case: Case, actor, reason: str) -> CaseEvent:
    """MISSION: TAM-4 — the customer escalates an open case to the account's TAMs, saying why."""
    if role_for(actor, case) != transitions.CUSTOMER:
        raise CaseStateError(_("The customer escalates a case to their TAM."))
    if not case.is_open:
        raise CaseStateError(_("The case is resolved."))
    if not reason.strip():
        raise CaseStateError(_("Tell your TAM why you escalate the case."))
    event = record(case, actor=actor, kind=CaseEvent.Kind.ESCALATED, body=reason.strip())
    save(case, [])
    notify(case, event, extra_staff=case.account.active_tams())
    return event
