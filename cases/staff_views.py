"""Staff screens: the queue across accounts, the case with its staff actions, the Severity 1 intake form,
the on-call rota. Staff see only the accounts they work on (``visible_to``)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Account
from core.decorators import staff_required
from core.idempotency import once
from core.pagination import CappedPaginator

from . import forms, services
from .badges import badge
from .filters import QueueFilter
from .models import Case, OnCallShift, PhoneIntake
from .services.clocks import shown_deadlines


@staff_required
@require_GET
def queue(request):
    """Open cases across the staff member's accounts, the next deadline first."""
    filters = QueueFilter(request.GET, queryset=Case.objects.visible_to(request.user).for_list(), request=request)
    page = CappedPaginator(filters.qs.by_next_deadline(), 50).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = [(case, badge(case, now)) for case in page.object_list]
    template = "cases/staff/queue.html#queue-table" if request.htmx else "cases/staff/queue.html"
    return render(
        request,
        template,
        {"rows": rows, "page": page, "filters": filters.values, "status_choices": Case.Status.choices},
    )


def _staff_context(request, case):
    return {
        "case": case,
        "account": case.account,
        "clock": badge(case, timezone.now()),
        "deadlines": shown_deadlines(case),
        "events": case.events.select_related("actor").prefetch_related("attachments"),
        "reply_form": forms.ReplyForm(),
        "note_form": forms.NoteForm(),
        "assign_form": forms.AssignForm(initial={"assignee": case.assignee_id}, account=case.account),
        "callback_form": forms.CallbackForm(
            initial={"called_name": case.contact_name, "called_number": case.contact_phone}
        ),
        "update_form": forms.UpdateForm(),
        "cadence_form": forms.CadenceForm(initial={"minutes": int(case.update_interval.total_seconds() // 60)}),
        "workaround_form": forms.WorkaroundForm(),
        "classification_form": forms.ClassificationForm(initial={"severity": case.severity, "category": case.category}),
        "decision_form": forms.DecisionForm(),
        "pending_request": services.classification.pending_request(case),
        "is_tam": services.common.role_for(request.user, case) == "tam",
        "staff": True,
        "case_poll_seconds": settings.CASE_POLL_SECONDS,
    }


@staff_required
@require_GET
def staff_case(request, number):
    case = get_object_or_404(Case.objects.visible_to(request.user).for_page(), number=number)
    template = "cases/staff/detail.html#case-panel" if request.htmx else "cases/staff/detail.html"
    return render(request, template, _staff_context(request, case))


def _reply_or_note(action, case, user, post, files):
    form = (forms.ReplyForm if action == "reply" else forms.NoteForm)(post, files)
    data = _valid(form)
    service = services.case_reply if action == "reply" else services.case_add_note
    service(case=case, actor=user, body=data["body"], files=data["files"])
    return _("Reply sent to the customer.") if action == "reply" else _("Internal note added.")


def _assign(action, case, user, post, files):
    form = forms.AssignForm(post, account=case.account)
    services.case_assign(case=case, actor=user, assignee=_valid(form)["assignee"])
    return _("Assignment saved.")


def _callback(action, case, user, post, files):
    data = _valid(forms.CallbackForm(post))
    services.case_log_callback(case=case, actor=user, **data)
    return _("Callback logged.")


def _update(action, case, user, post, files):
    services.case_post_update(case=case, actor=user, **_valid(forms.UpdateForm(post)))
    minutes = int(case.update_interval.total_seconds() // 60)
    return ngettext(
        "Update posted; the next one is due in %(minutes)d minute.",
        "Update posted; the next one is due in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def _workaround(action, case, user, post, files):
    services.case_mark_workaround(case=case, actor=user, **_valid(forms.WorkaroundForm(post)))
    return _("Workaround recorded.")


def _classify(action, case, user, post, files):
    services.case_change_classification(case=case, actor=user, **_valid(forms.ClassificationForm(post)))
    return _("Severity and category saved; the clocks follow the new severity.")


def _decide(action, case, user, post, files):
    data = _valid(forms.DecisionForm(post))
    accept = data["decision"] == "accept"
    services.case_decide_classification(case=case, actor=user, accept=accept, reason=data["reason"])
    return _("The change is made.") if accept else _("The request is declined; the customer is told why.")


def _acknowledge(action, case, user, post, files):
    try:
        alert_id = int(post.get("alert", ""))
    except ValueError:
        raise services.CaseStateError(_("There is no such escalation on this case.")) from None
    services.case_acknowledge_escalation(case=case, actor=user, alert_id=alert_id)
    return _("Recorded on the case: you are on it.")


def _cadence(action, case, user, post, files):
    services.case_change_cadence(case=case, actor=user, **_valid(forms.CadenceForm(post)))
    return _("New update interval recorded.")


# Actions with a form of their own; the others take the optional text of the "body" field.
FORM_ACTIONS = {
    "reply": _reply_or_note,
    "note": _reply_or_note,
    "assign": _assign,
    "callback": _callback,
    "update": _update,
    "cadence": _cadence,
    "workaround": _workaround,
    "classify": _classify,
    "decide": _decide,
    "acknowledge": _acknowledge,
}
BODY_ACTIONS = {
    "start": (
        lambda case, user, body: services.case_start_work(case=case, actor=user),
        gettext_lazy("The case is in progress."),
    ),
    "wait": (
        lambda case, user, body: services.case_wait_on_customer(case=case, actor=user, body=body),
        gettext_lazy("Waiting on the customer; the response clock is paused."),
    ),
    "propose": (
        lambda case, user, body: services.case_propose_resolution(case=case, actor=user, summary=body),
        gettext_lazy("Resolution proposed to the customer."),
    ),
    "agreement": (
        lambda case, user, body: services.case_record_agreement(case=case, actor=user, note=body),
        gettext_lazy("Agreement recorded; the case is resolved."),
    ),
    "reopen": (
        lambda case, user, body: services.case_reopen(case=case, actor=user, reason=body),
        gettext_lazy("The case is reopened."),
    ),
}


def _run(action, request, case):
    """Validate the action's form and call its service. Returns a success message."""
    if action in FORM_ACTIONS:
        return FORM_ACTIONS[action](action, case, request.user, request.POST, request.FILES)
    if action not in BODY_ACTIONS:
        raise Http404
    call, message = BODY_ACTIONS[action]
    call(case, request.user, request.POST.get("body", ""))
    return str(message)


def _valid(form):
    if not form.is_valid():
        raise services.CaseStateError(
            " ".join(
                f"{form.fields[f].label if f in form.fields else ''}: {e}".lstrip(": ")
                for f, errs in form.errors.items()
                for e in errs
            )
        )
    return form.cleaned_data


CREATING_ACTIONS = {"reply", "note", "callback", "update"}
BOUND_FORMS = {
    "reply": ("reply_form", forms.ReplyForm),
    "note": ("note_form", forms.NoteForm),
    "assign": ("assign_form", forms.AssignForm),
    "callback": ("callback_form", forms.CallbackForm),
    "update": ("update_form", forms.UpdateForm),
    "cadence": ("cadence_form", forms.CadenceForm),
    "workaround": ("workaround_form", forms.WorkaroundForm),
    "classify": ("classification_form", forms.ClassificationForm),
    "decide": ("decision_form", forms.DecisionForm),
}


@staff_required
@require_POST
def staff_case_action(request, number, action):
    case = get_object_or_404(Case.objects.visible_to(request.user).for_page(), number=number)
    case_url = reverse("staff-case", kwargs={"number": case.number})
    try:
        if action in CREATING_ACTIONS:  # a double submit adds one reply, one note, one callback, one update
            outcome = once(request, lambda: _run(action, request, case), result=lambda _: case_url)
            if not outcome.repeat:
                messages.success(request, outcome.created)
        else:
            messages.success(request, _run(action, request, case))
    except services.CaseStateError as exc:
        # Bad input loses nothing: the page comes back with what was typed, the error next to it.
        messages.error(request, str(exc))
        context = _staff_context(request, case)
        if action in BOUND_FORMS:
            key, form_class = BOUND_FORMS[action]
            extra = {"account": case.account} if form_class is forms.AssignForm else {}
            context[key] = form_class(request.POST, **extra)
        context.update(failed=action, text_body=request.POST.get("body", ""))
        return render(request, "cases/staff/detail.html", context, status=400)
    return redirect("staff-case", number=case.number)  # a plain form (STYLE: htmx): post, redirect, the page again


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


@staff_required
@require_http_methods(["GET", "POST"])
def oncall(request):
    """The 24/7 rota: who is on duty now, hand-overs, upcoming shifts. Staff read it; those with the rota
    permissions change it, each change audited."""
    now = timezone.now()
    may_manage = services.can_manage_rota(request.user)
    if request.method == "POST" and not may_manage:
        raise Http404
    form = forms.ShiftForm(request.POST or None)
    form.fields["agent"].queryset = form.fields["agent"].queryset.filter(is_active=True).order_by("full_name")
    if request.method == "POST" and form.is_valid():
        services.oncall_shift_save(shift=form.save(commit=False), actor=request.user)
        messages.success(request, _("Shift added."))
        return redirect("oncall")
    shifts = OnCallShift.objects.upcoming(now).select_related("agent")[:100]
    until = now + services.oncall.ROTA_LOOKAHEAD
    gaps = OnCallShift.objects.gaps(now, until)
    return render(
        request,
        "cases/staff/oncall.html",
        {"form": form, "shifts": shifts, "now": now, "may_manage": may_manage, "gaps": gaps, "until": until},
    )


@staff_required
@require_POST
def oncall_delete(request, pk):
    if not services.can_manage_rota(request.user):
        raise Http404
    shift = get_object_or_404(OnCallShift, pk=pk)
    services.oncall_shift_remove(shift=shift, actor=request.user)
    messages.success(request, _("Shift removed."))
    return redirect("oncall")
