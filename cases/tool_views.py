"""The staff case page's helpers of issue 15: a canned reply put into the reply form, and who else is replying.
Staff only; a case is fetched through ``visible_to`` (another account's case is a 404 like a missing one)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import staff_required
from core.idempotency import once

from . import forms, presence, services
from .macros import PLACEHOLDERS
from .models import CannedReply, Case
from .staff_views import staff_context


def _case(request, number) -> Case:
    return get_object_or_404(Case.objects.visible_to(request.user).for_page(), number=number)


@staff_required
@require_GET
def staff_case_macro(request, number):
    """The reply form filled with a canned reply in the case's language: the ``#reply-form`` fragment for htmx,
    else the whole case page with the filled form (a preview the agent edits and sends)."""
    case = _case(request, number)
    choice = forms.MacroChoiceForm(request.GET)
    filled = {}
    if choice.is_valid():
        data = choice.cleaned_data
        body = services.canned_reply_text(
            reply=data["macro"], case=case, agent=request.user, language=data["language"] or None
        )
        filled = {"reply_form": forms.ReplyForm(initial={"body": body}), "macro_form": choice}
    else:
        messages.error(request, _("Choose a canned reply."))
    if request.htmx:  # the reply form alone
        context = {"case": case, "reply_form": filled.get("reply_form") or forms.ReplyForm()}
        return render(request, "cases/staff/detail.html#reply-form", context)
    return render(request, "cases/staff/detail.html", staff_context(request, case, fresh=True, **filled))


@staff_required
@require_http_methods(["GET", "POST"])
def staff_case_replying(request, number):
    """POST: "I am writing a reply" (marks the case for ``presence.TTL`` seconds). GET (polled): who else is."""
    case = _case(request, number)
    if request.method == "POST":
        presence.mark(case.pk, request.user)
    context = {
        "case": case,
        "replying": presence.others(case.pk, request.user),
        "replying_poll_seconds": presence.POLL_SECONDS,
    }
    return render(request, "cases/staff/detail.html#replying", context)


# --- keeping the canned replies ---------------------------------------------------------------------------


def _require_manager(user):
    if not services.can_manage_macros(user):
        raise Http404


@staff_required
@require_http_methods(["GET", "POST"])
def macro_list(request):
    """Every canned reply, and a form to add one."""
    _require_manager(request.user)
    form = forms.CannedReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            outcome = once(
                request,
                lambda: services.canned_reply_save(reply=form.save(commit=False), actor=request.user),
                result=lambda _reply: "macro-list",
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not outcome.repeat:
                messages.success(request, _("Canned reply added."))
            return redirect(outcome.url)
    return render(
        request,
        "cases/staff/macros.html",
        {"form": form, "macros": CannedReply.objects.all(), "placeholders": PLACEHOLDERS},
        status=400 if form.errors else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def macro_edit(request, pk):
    _require_manager(request.user)
    reply = get_object_or_404(CannedReply, pk=pk)
    form = forms.CannedReplyForm(request.POST or None, instance=reply)
    if request.method == "POST" and form.is_valid():
        try:
            services.canned_reply_save(reply=form.save(commit=False), actor=request.user, changed=form.changed_data)
        except (ValidationError, PermissionDenied) as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Canned reply saved."))
            return redirect("macro-list")
    return render(
        request,
        "cases/staff/macro_edit.html",
        {"form": form, "reply": reply, "placeholders": PLACEHOLDERS},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def macro_remove(request, pk):
    _require_manager(request.user)
    services.canned_reply_remove(reply=get_object_or_404(CannedReply, pk=pk), actor=request.user)
    messages.success(request, _("Canned reply removed."))
    return redirect("macro-list")
