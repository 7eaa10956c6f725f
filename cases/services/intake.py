"""The Severity 1 phone line (MISSION CR-1, CR-2): the representative's form, matched to an account."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notify as mail
from accounts.models import Account
from cases import sla
from cases.models import Case, CaseEvent, OnCallShift, PhoneIntake
from cases.models.case import INTAKE_SUBJECT
from cases.notifications import notify
from cases.transitions import CaseStateError
from core.text import Msg

from . import clocks
from .common import record, require_staff, save
from .lifecycle import case_open


def matching_accounts(company_name: str, user, limit: int = 8):
    """Accounts whose name or short name contains what the caller said, among those the staff member works on."""
    text = company_name.strip()
    if len(text) < 2:
        return Account.objects.none()
    return (
        (
            Account.objects.visible_to(user).filter(name__icontains=text)
            | Account.objects.visible_to(user).filter(slug__icontains=text)
        )
        .distinct()
        .order_by("name")[:limit]
    )


@transaction.atomic
def phone_intake_record(
    *,
    taken_by,
    company_name: str,
    contact_name: str,
    contact_phone: str,
    contact_email: str,
    description: str,
    account: Account | None = None,
    case: Case | None = None,
    received_at=None,
) -> PhoneIntake:
    """Record the call first — it is never lost — then open (or join) the critical case and start the
    15-minute callback clock, and tell the on-duty agents and the TAM at once."""
    require_staff(taken_by, _("Only staff take Severity 1 calls."))
    received_at = received_at or timezone.now()
    fields = {
        "company_name": company_name,
        "contact_name": contact_name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "description": description,
    }
    missing = [k for k, v in fields.items() if not str(v).strip()]
    if missing:
        raise CaseStateError(_("Fill in every detail of the call: company, contact name, phone, email and the issue."))
    if case is not None and (account is None or case.account_id != account.pk):
        raise CaseStateError(_("That case belongs to another account."))
    if case is not None and not case.is_open:
        raise CaseStateError(_("That case is resolved: open a new case for this call (or reopen it first)."))
    intake = PhoneIntake.objects.create(
        taken_by=taken_by,
        received_at=received_at,
        account=account,
        case=None,
        callback_due_at=received_at + sla.CALLBACK_TARGET,
        **{k: str(v).strip() for k, v in fields.items()},
    )
    if account is None:
        _notify_unmatched(intake)
        return intake
    return _attach_to_account(intake, account=account, case=case, actor=taken_by)


def _attach_to_account(intake: PhoneIntake, *, account: Account, case: Case | None, actor) -> PhoneIntake:
    """Open (or join) the critical case for a recorded call; the callback clock starts at the call."""
    taken_by, received_at = actor, intake.received_at
    if case is None:
        case = case_open(
            account=account,
            actor=taken_by,
            subject=Msg(INTAKE_SUBJECT, {"company": intake.company_name[:120]}),  # shown in the reader's language
            description=intake.description,
            severity=Case.Severity.CRITICAL,
            category=Case.Category.BUG,
            channel=Case.Channel.PHONE,
            callback_requested=True,
            contact_name=intake.contact_name,
            contact_phone=intake.contact_phone,
            contact_email=intake.contact_email,
            now=received_at,
        )
    else:
        case.severity = Case.Severity.CRITICAL
        case.callback_requested = True
        case.contact_name, case.contact_phone, case.contact_email = (
            intake.contact_name,
            intake.contact_phone,
            intake.contact_email,
        )
        clocks.start_callback(case, received_at)
        save(
            case,
            [
                "severity",
                "callback_requested",
                "contact_name",
                "contact_phone",
                "contact_email",
                "callback_due_at",
                "callback_done_at",
            ],
        )
    intake.account, intake.case = account, case
    intake.save(update_fields=["account", "case"])
    event = record(
        case,
        actor=taken_by,
        kind=CaseEvent.Kind.PHONE_INTAKE,
        body=intake.description,
        contact_name=intake.contact_name,
        contact_phone=intake.contact_phone,
        callback_due_at=intake.callback_due_at.isoformat(),
    )
    notify(case, event, extra_staff=[*account.active_tams(), *OnCallShift.objects.agents_on_duty(received_at)])
    return intake


def _notify_unmatched(intake: PhoneIntake) -> None:
    mail.notify(
        kind="case.phone_intake_unmatched",
        recipients=OnCallShift.objects.agents_on_duty(intake.received_at),
        template="cases/email/unmatched_intake",
        context={"intake": intake},
        link=reverse("phone-intake"),
        reference=f"intake-{intake.pk}",
    )


@transaction.atomic
def phone_intake_match(*, intake: PhoneIntake, actor, account: Account, case: Case | None = None) -> PhoneIntake:
    """Staff match a call from an unknown company to an account later; the clock keeps its original start."""
    require_staff(actor, _("Only staff match Severity 1 calls."))
    intake = PhoneIntake.objects.select_for_update().get(pk=intake.pk)
    if intake.account_id is not None:
        raise CaseStateError(_("This call is already matched to an account."))
    if case is not None and (case.account_id != account.pk or not case.is_open):
        raise CaseStateError(_("Choose an open case of that account, or none to open a new one."))
    return _attach_to_account(intake, account=account, case=case, actor=actor)
