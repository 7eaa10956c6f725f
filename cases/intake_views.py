"""The Severity 1 line's page for staff: record a call, match it to an account, close a non-customer's call
(MISSION CR-1, CR-2)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Account
from core.decorators import staff_required
from core.idempotency import once

from . import forms, services
from .models import Case, OnCallShift, PhoneIntake


@staff_required
@require_http_methods(["GET", "POST"])
def phone_intake(request):
    """MISSION: CR-1, CR-2 — the representative's form for the Severity 1 line."""
    if request.htmx and request.method == "GET":
        company = request.GET.get("company_name", "")
        accounts = services.matching_accounts(
            company,
            request.user,
            email=request.GET.get("contact_email", ""),
            phone=request.GET.get("contact_phone", ""),
        )
        open_critical = {a.pk: list(a.cases.open().critical().order_by("-created_at")[:5]) for a in accounts}
        return render(
            request,
            "cases/staff/intake.html#account-matches",
            {"accounts": accounts, "open_critical": open_critical, "company": company},
        )
    form = forms.PhoneIntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        account = (
            Account.objects.visible_to(request.user).filter(slug=data["account"]).first() if data["account"] else None
        )
        case = (
            Case.objects.visible_to(request.user).filter(account=account, number=data["case"]).first()
            if account and data["case"]
            else None
        )
        try:  # a double submit records one call: one case, one page of the on-call agent (MISSION: CR-2)
            outcome = once(
                request,
                lambda: services.phone_intake_record(
                    taken_by=request.user,
                    account=account,
                    case=case,
                    **{
                        k: data[k]
                        for k in ("company_name", "contact_name", "contact_phone", "contact_email", "description")
                    },
                ),
                result=lambda intake: (
                    reverse("staff-case", kwargs={"number": intake.case.number}) if intake.case else "phone-intake"
                ),
            )
        except services.CaseStateError as exc:
            form.add_error(None, str(exc))
        else:
            _intake_message(request, outcome)
            return redirect(outcome.url)
    return _intake_page(request, form)


def _intake_page(request, form, *, status: int = 200):
    """The Severity 1 page: the form, who is on duty, and the calls nobody matched with accounts they may be."""
    unmatched = list(PhoneIntake.objects.unmatched().select_related("taken_by")[:20])
    suggestions = {
        intake.pk: services.matching_accounts(
            intake.company_name, request.user, email=intake.contact_email, phone=intake.contact_phone, limit=5
        )
        for intake in unmatched
    }
    context = {
        "form": form,
        "unmatched": unmatched,
        "suggestions": suggestions,
        "on_duty": OnCallShift.objects.covering(timezone.now()).select_related("agent"),
    }
    return render(request, "cases/staff/intake.html", context, status=status)


def _account_for_call(request, typed: str):
    """The account staff chose (a suggestion's short name) or typed (searched, as the caller said it): one
    account, or ``None`` with the reason told; a mistyped name is never a bare 404 (MISSION CR-2)."""
    typed = typed.strip()
    account = Account.objects.visible_to(request.user).filter(slug=typed).first() if typed else None
    if account is not None:
        return account
    found = services.matching_accounts(typed, request.user)
    if len(found) == 1:
        return found[0]
    if found:
        messages.error(
            request,
            _("Several accounts match “%(text)s”: %(names)s. Choose one of them.")
            % {"text": typed, "names": ", ".join(f"{a.name} ({a.slug})" for a in found)},
        )
    else:
        messages.error(
            request,
            _("No account matches “%(text)s”. Try the company's name, its email domain or a contact's phone number.")
            % {"text": typed},
        )
    return None


def _intake_message(request, outcome) -> None:
    intake = outcome.created
    if intake is None:
        return
    if intake.case:
        text = _("Call recorded on %(number)s; the 15-minute callback clock runs.")
        messages.success(request, text % {"number": intake.case.number})
    elif OnCallShift.objects.agents_on_duty(intake.received_at):
        text = _("Call recorded without an account; the on-duty agents are told. Match it to an account below.")
        messages.warning(request, text)
    else:
        text = _(
            "Call recorded without an account; nobody is on duty, so every TAM and agent is paged. "
            "Match it to an account below."
        )
        messages.warning(request, text)


@staff_required
@require_POST
def intake_match(request, pk):
    intake = get_object_or_404(PhoneIntake.objects.visible_to(request.user).unmatched(), pk=pk)
    account = _account_for_call(request, request.POST.get("account", ""))
    if account is None:  # the page again, with what was found (or not) said above it
        return _intake_page(request, forms.PhoneIntakeForm(), status=400)
    try:
        intake = services.phone_intake_match(intake=intake, actor=request.user, account=account)
    except services.CaseStateError as exc:
        messages.error(request, str(exc))
        return _intake_page(request, forms.PhoneIntakeForm(), status=400)
    messages.success(request, _("Call matched to %(account)s.") % {"account": account.name})
    return redirect("staff-case", number=intake.case.number)


@staff_required
@require_POST
def intake_close(request, pk):
    """A call that was not from a customer leaves the clock, with the reason audited."""
    intake = get_object_or_404(PhoneIntake.objects.visible_to(request.user).unmatched(), pk=pk)
    try:
        services.phone_intake_close(intake=intake, actor=request.user, reason=request.POST.get("reason", ""))
    except services.CaseStateError as exc:
        messages.error(request, str(exc))
        return _intake_page(request, forms.PhoneIntakeForm(), status=400)
    messages.success(request, _("Call closed as not from a customer."))
    return redirect("phone-intake")
