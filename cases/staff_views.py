"""Staff screens: the queue across accounts, the case with its staff actions, the Severity 1 intake form,
the on-call rota. Staff see only the accounts they work on (``visible_to``)."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import staff_required
from core.idempotency import once

from . import forms, presence, queue_views, search, services
from .badges import badge
from .filters import QueueFilter
from .fragments import Forms, case_parts, queue_parts
from .models import Case, OnCallShift
from .services.clocks import shown_deadlines


@staff_required
@require_GET
def queue(request):
    """Open cases across the staff member's accounts, the next deadline first."""
    filters = QueueFilter(request.GET, queryset=Case.objects.visible_to(request.user).for_list(), request=request)
    if filters.searching and not request.htmx:  # a case number typed and sent: that case (issue 15)
        named = search.jump(Case.objects.visible_to(request.user), filters.values["q"])
        if named is not None:
            return redirect("staff-case", number=named.number)
    if request.htmx:
        (table,) = queue_parts(request, filters)  # kept in the panel cache (cases/fragments.py)
        return HttpResponse(table)

    def drawn_forms() -> dict:  # read only when the cache lacks them (what they show: cases/fragments.py)
        return {"filters": filters.values, "status_choices": Case.Status.choices} | queue_views.queue_context(request)

    forms = Forms(drawn_forms, ("cases/staff/queue.html#queue-forms",))
    table, forms_html = queue_parts(request, filters, forms)
    return render(request, "cases/staff/queue.html", {"queue_table": table, "queue_forms": forms_html})


def staff_context(request, case, *, fresh=False, **forms_given):
    """Everything the staff case page draws. ``fresh`` (with ``forms_given``, e.g. ``reply_form``): a form sent
    back with what was typed and why it failed, or filled with a canned reply (``tool_views``); the forms are
    then drawn for this answer alone, not kept."""
    clock, deadlines = badge(case, timezone.now()), shown_deadlines(case)

    def summary() -> dict:  # read only when the summary is drawn
        return {
            "case": case,
            "account": case.account,
            "clock": clock,
            "deadlines": deadlines,
            "merged_cases": case.merged_cases.order_by("number"),
            **services.satisfaction.page_context(case),
        }

    replying = {"case": case, "replying_poll_seconds": presence.POLL_SECONDS}

    def drawn_replying() -> str:
        context = replying | {"replying": presence.others(case.pk, request.user)}
        return render_to_string("cases/staff/detail.html#replying", context, request=request)

    def drawn_forms() -> dict:
        return replying | _forms_context(request, case) | forms_given

    # Kept in the panel cache (cases/fragments.py). An htmx request redraws the polled region only; a form sent
    # back with its errors is drawn for this answer alone.
    templates = ("cases/staff/detail.html#case-follow", "cases/staff/detail.html#case-actions")
    forms = Forms(drawn_forms, templates, slots={"replying": drawn_replying})

    def events():  # built only when the timeline is drawn, not when the cache has it
        return case.events.select_related("actor").prefetch_related("attachments")

    kept = None if fresh or request.htmx else forms
    timeline, summary_html, *drawn = case_parts(request, case, events, internal=True, summary=summary, forms=kept)
    follow, actions = forms.fresh(request) if fresh else drawn or ("", "")
    return {
        "case": case,
        "account": case.account,
        "clock": clock,
        "deadlines": deadlines,
        "timeline": timeline,
        "summary": summary_html,
        "follow": follow,
        "actions": actions,
        "staff": True,
        "case_poll_seconds": settings.CASE_POLL_SECONDS,
    }


def _forms_context(request, case) -> dict:
    """The staff case page's forms and what they show (``#case-actions``)."""
    return {
        "case": case,
        "account": case.account,
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
        # Issue 15: merging, related cases, canned replies, who else is replying.
        "merge_form": forms.CaseNumberForm(prefix="merge"),
        "link_form": forms.CaseNumberForm(prefix="link"),
        "related": case.related_cases.order_by("number"),
        "macro_form": forms.MacroChoiceForm(initial={"language": services.macros.case_language(case)}),
        "following": case.followers.filter(pk=request.user.pk).exists(),
    }


@staff_required
@require_GET
def staff_case(request, number):
    case = get_object_or_404(Case.objects.visible_to(request.user).for_kept_page(), number=number)
    template = "cases/staff/detail.html#case-panel" if request.htmx else "cases/staff/detail.html"
    return render(request, template, staff_context(request, case))


def _reply_or_note(action, case, user, post, files):
    form = (forms.ReplyForm if action == "reply" else forms.NoteForm)(post, files)
    data = _valid(form)
    service = services.case_reply if action == "reply" else services.case_add_note
    service(case=case, actor=user, body=data["body"], files=data["files"])
    if action == "reply":
        presence.clear(case.pk, user)
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
    """ "I'm on it": a missed deadline (``alert``) or a customer's escalation (``escalation``), MISSION TAM-4."""
    try:
        alert_id = int(post.get("alert") or 0)
        escalation_id = int(post.get("escalation") or 0)
    except ValueError:
        raise services.CaseStateError(_("There is no such escalation on this case.")) from None
    if escalation_id:
        services.case_acknowledge_customer_escalation(case=case, actor=user, escalation_id=escalation_id)
    else:
        services.case_acknowledge_escalation(case=case, actor=user, alert_id=alert_id)
    return _("Recorded on the case: you are on it.")


def _cadence(action, case, user, post, files):
    services.case_change_cadence(case=case, actor=user, **_valid(forms.CadenceForm(post)))
    return _("New update interval recorded.")


def _other_case(case, user, post, prefix):
    """Another case of the same account, by number; another account's case is missing, like one that is."""
    number = _valid(forms.CaseNumberForm(post, prefix=prefix))["number"]
    other = Case.objects.visible_to(user).filter(account_id=case.account_id, number=number).first()
    if other is None:
        raise services.CaseStateError(_("There is no case %(number)s on this account.") % {"number": number})
    return other


def _merge(action, case, user, post, files):
    target = _other_case(case, user, post, "merge")
    services.case_merge(case=case, into=target, actor=user)
    return _("%(merged)s is merged into %(number)s.") % {"merged": case.number, "number": target.number}


def _link(action, case, user, post, files):
    other = _other_case(case, user, post, "link")
    (services.case_link if action == "link" else services.case_unlink)(case=case, other=other, actor=user)
    return _("Related case linked.") if action == "link" else _("Link removed.")


def _follow(action, case, user, post, files):
    """Issue 15: a member of staff follows the case (its staff emails), or stops."""
    services.case_follow(case=case, user=user, follow=action == "follow")
    return (
        _("You will get the staff emails about this case.")
        if action == "follow"
        else _("You no longer get emails about this case.")
    )


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
    "merge": _merge,
    "link": _link,
    "unlink": _link,
    "follow": _follow,
    "unfollow": _follow,
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
    "merge": ("merge_form", forms.CaseNumberForm),
    "link": ("link_form", forms.CaseNumberForm),
}
PREFIXES = {"merge": "merge", "link": "link"}


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
        bound = {}
        if action in BOUND_FORMS:
            key, form_class = BOUND_FORMS[action]
            extra = {"account": case.account} if form_class is forms.AssignForm else {}
            extra.update({"prefix": PREFIXES[action]} if action in PREFIXES else {})
            bound[key] = form_class(request.POST, **extra)
        context = staff_context(
            request, case, fresh=True, **bound, failed=action, text_body=request.POST.get("body", "")
        )
        return render(request, "cases/staff/detail.html", context, status=400)
    return redirect("staff-case", number=case.number)  # a plain form (STYLE: htmx): post, redirect, the page again


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
