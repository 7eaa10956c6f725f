"""The Severity 1 phone line (MISSION CR-1, CR-2): the representative's form, matched to an account."""

import difflib
import re

from django.db import models, transaction
from django.db.models.functions import Replace
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import notify as mail
from accounts.audit import audit
from accounts.models import Account, AuditEvent, Contact, Membership, StaffRole, User
from cases import sla
from cases.models import Case, CaseEvent, OnCallShift, PhoneIntake
from cases.models.case import INTAKE_SUBJECT
from cases.notifications import notify
from cases.transitions import CaseStateError
from core.text import Msg

from . import clocks
from .common import record, require_staff, save
from .opening import case_open

# Words that say what kind of company it is, not which: "ACME sp. z o.o." is Acme.
LEGAL_FORMS = frozenset(
    "sp spółka z o oo zoo sa ska sk inc ltd llc gmbh ag co corp plc bv nv srl sas spa ab oy as the".split()
)
# A mailbox provider's domain says nothing about the caller's company.
FREEMAIL = frozenset(
    "gmail.com googlemail.com outlook.com hotmail.com live.com yahoo.com icloud.com proton.me protonmail.com "
    "gmx.com gmx.de wp.pl onet.pl o2.pl interia.pl op.pl".split()
)
FUZZY_CANDIDATES = 5000  # a fuzzy look is over the names of at most this many accounts


def _words(text: str) -> list[str]:
    return [w for w in re.findall(r"\w+", text.lower()) if len(w) >= 3 and w not in LEGAL_FORMS]


def _domain(text: str) -> str:
    """``acme.test`` from ``alice@acme.test``, ``acme.test`` or ``www.acme.test``."""
    text = text.strip().lower().rsplit("@", 1)[-1]
    text = text.removeprefix("www.")
    found = re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", text)
    return text if found and text not in FREEMAIL else ""


def _digits(field: str):
    expression = models.F(field)
    for sign in (" ", "-", "+", "(", ")", "/", "."):
        expression = Replace(expression, models.Value(sign), models.Value(""))
    return expression


def _by_phone(phone: str) -> models.Q:
    """Accounts with a contact or a team member at this number, however either was written."""
    digits = re.sub(r"\D", "", phone)[-9:]
    if len(digits) < 6:
        return models.Q(pk__in=[])
    contacts = Contact.objects.annotate(d=_digits("phone")).filter(d__endswith=digits).values("account_id")
    members = Membership.objects.annotate(d=_digits("user__phone")).filter(d__endswith=digits).values("account_id")
    return models.Q(pk__in=contacts) | models.Q(pk__in=members)


def matching_accounts(text: str, user, *, email: str = "", phone: str = "", limit: int = 8) -> list[Account]:
    """The accounts a caller may be from, among those the staff member works on (MISSION CR-2): by company name
    or short name (whole or any distinctive word), by the domain or address of the caller's email, by a
    contact's or team member's phone number, and, when none of these finds anything, by a name spelt nearly
    the same ("Acmee"). Never an error: no match is an empty list."""
    visible = Account.objects.visible_to(user)
    text = text.strip()
    q = models.Q(pk__in=[])
    if len(text) >= 2:
        q |= models.Q(name__icontains=text) | models.Q(slug__icontains=text)
    for word in _words(text):
        q |= models.Q(name__icontains=word) | models.Q(slug__iexact=word)
    for domain in {d for d in (_domain(email), _domain(text)) if d}:
        emails = models.Q(email__iendswith="@" + domain)
        q |= models.Q(pk__in=Contact.objects.filter(emails).values("account_id"))
        q |= models.Q(pk__in=Membership.objects.filter(user__in=User.objects.filter(emails)).values("account_id"))
    for number in {phone, text}:
        q |= _by_phone(number)
    found = list(visible.filter(q).order_by("name")[:limit])
    if found or len(text) < 3:
        return found
    names = dict(visible.values_list("name", "pk")[:FUZZY_CANDIDATES])
    lowered = {name.lower(): name for name in names}
    close = difflib.get_close_matches(text.lower(), list(lowered), n=limit, cutoff=0.75)
    return list(visible.filter(pk__in=[names[lowered[n]] for n in close]).order_by("name"))


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
            announce=False,  # the call's own event tells everyone, once (issue 15)
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
    # MISSION: CR-2 — the agents on duty hear at once; during a gap in the rota, the TAMs and every agent.
    paged = OnCallShift.objects.to_page(received_at, account=account)
    notify(case, event, extra_staff=[*account.active_tams(), *paged])
    return intake


def _notify_unmatched(intake: PhoneIntake, *, level: str = "call") -> None:
    """The call from a company nobody matched yet: the agents on duty, or (a gap in the rota) every active TAM
    and every agent; its breach goes to every active TAM as well, as a matched call's goes to the account's."""
    people = OnCallShift.objects.to_page(intake.received_at if level == "call" else timezone.now())
    if level == "breach":
        people = [*people, *User.objects.filter(is_active=True, is_staff=True, staff_role=StaffRole.TAM)]
    mail.notify(
        kind="case.phone_intake_unmatched",
        recipients=list({person.pk: person for person in people}.values()),
        template="cases/email/unmatched_intake",
        context={"intake": intake, "level": level},
        link=reverse("phone-intake"),
        reference=f"intake-{intake.pk}",
        dedupe=f"intake:{intake.pk}:{level}",
    )


def intake_sweep(now=None) -> int:
    """MISSION: CR-2 — the 15-minute clock of a call nobody matched yet: a warning before the callback is due,
    then the breach, each claimed once (a conditional UPDATE), so overlapping runs never send one twice."""
    now = now or timezone.now()
    raised = 0
    open_calls = PhoneIntake.objects.unmatched()
    for intake in open_calls.filter(callback_due_at__lte=now, breached_at__isnull=True).order_by("pk")[:200]:
        with transaction.atomic():
            if PhoneIntake.objects.unmatched().filter(pk=intake.pk, breached_at__isnull=True).update(breached_at=now):
                _notify_unmatched(intake, level="breach")
                raised += 1
    warn_from = now + sla.WARN_BEFORE["callback"]
    warnable = open_calls.filter(callback_due_at__gt=now, callback_due_at__lte=warn_from, warned_at__isnull=True)
    for intake in warnable.order_by("pk")[:200]:
        with transaction.atomic():
            if PhoneIntake.objects.unmatched().filter(pk=intake.pk, warned_at__isnull=True).update(warned_at=now):
                _notify_unmatched(intake, level="warning")
                raised += 1
    return raised


@transaction.atomic
def phone_intake_close(*, intake: PhoneIntake, actor, reason: str) -> PhoneIntake:
    """A call that was not from a customer (a wrong number, a sales call, a test) leaves the clock, with the
    reason on the audit trail; a call matched to an account is worked on its case instead."""
    require_staff(actor, _("Only staff close Severity 1 calls."))
    reason = reason.strip()
    if not reason:
        raise CaseStateError(_("Say why this call was not from a customer."))
    intake = PhoneIntake.objects.select_for_update().get(pk=intake.pk)
    if intake.account_id is not None or intake.closed_at is not None:
        raise CaseStateError(_("Only a call without an account that is still open can be closed."))
    intake.closed_at, intake.closed_by, intake.close_reason = timezone.now(), actor, reason
    intake.save(update_fields=["closed_at", "closed_by", "close_reason"])
    audit(
        actor=actor,
        account=None,
        kind=AuditEvent.Kind.PHONE_INTAKE_CLOSED,
        target=intake,
        reason=reason,
        company=intake.company_name,
        received_at=intake.received_at,
    )
    return intake


@transaction.atomic
def phone_intake_match(*, intake: PhoneIntake, actor, account: Account, case: Case | None = None) -> PhoneIntake:
    """Staff match a call from an unknown company to an account later; the clock keeps its original start."""
    require_staff(actor, _("Only staff match Severity 1 calls."))
    intake = PhoneIntake.objects.select_for_update().get(pk=intake.pk)
    if intake.account_id is not None:
        raise CaseStateError(_("This call is already matched to an account."))
    if intake.closed_at is not None:
        raise CaseStateError(_("This call was closed as not from a customer."))
    if case is not None and (case.account_id != account.pk or not case.is_open):
        raise CaseStateError(_("Choose an open case of that account, or none to open a new one."))
    return _attach_to_account(intake, account=account, case=case, actor=actor)
