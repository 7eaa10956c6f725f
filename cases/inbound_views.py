"""Staff screen for inbound email that needs a person: quarantined and failed messages, and those still not
processed minutes after they came (the ingest died); assign and replay."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Account
from core.decorators import staff_required

from . import services
from .email.parse import parse
from .filters import InboundFilter
from .models import Case, InboundMessage


@staff_required
@require_GET
def inbound_list(request):
    filters = InboundFilter(
        request.GET,
        queryset=InboundMessage.objects.visible_to(request.user).defer("raw").select_related("account", "case"),
    )
    page = Paginator(filters.qs.order_by("-received_at", "-id"), 50).get_page(request.GET.get("page"))
    show = filters.values["show"]
    return render(
        request,
        "cases/staff/inbound_list.html",
        {"page": page, "show": show, "statuses": InboundMessage.Status.choices, "filters": filters.values},
    )


@staff_required
@require_GET
def inbound_detail(request, pk):
    message = get_object_or_404(
        InboundMessage.objects.visible_to(request.user).select_related("account", "case"), pk=pk
    )
    if not message.raw:  # let go by retention (RETAIN_INBOUND_RAW_DAYS) or by the sender's erasure
        if request.GET.get("raw") == "1":
            raise Http404
        return render(request, "cases/staff/inbound_detail.html", {"message": message, "parsed": None})
    if request.GET.get("raw") == "1":
        response = HttpResponse(bytes(message.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="inbound-{message.pk}.eml"'
        response["X-Content-Type-Options"] = "nosniff"
        return response
    parsed = parse(bytes(message.raw))
    return render(request, "cases/staff/inbound_detail.html", {"message": message, "parsed": parsed})


@staff_required
@require_POST
def inbound_action(request, pk, action):
    message = get_object_or_404(InboundMessage.objects.visible_to(request.user), pk=pk)
    if action == "replay":
        outcome = services.inbound_replay(message=message, actor=request.user)
    elif action == "assign":
        account = Account.objects.visible_to(request.user).filter(slug=request.POST.get("account", "").strip()).first()
        if account is None:
            messages.error(request, _("Choose an account you work on, by its short name."))
            return redirect("inbound-detail", pk=message.pk)
        number = request.POST.get("case", "").strip().upper()
        case = Case.objects.filter(account=account, number=number).first() if number else None
        if number and case is None:
            messages.error(
                request, _("%(number)s is not a case of %(account)s.") % {"number": number, "account": account.name}
            )
            return redirect("inbound-detail", pk=message.pk)
        outcome = services.inbound_assign(message=message, actor=request.user, account=account, case=case)
    elif action == "release":
        outcome = services.inbound_release(message=message, actor=request.user)
    elif action == "discard":
        reason = request.POST.get("reason", "").strip()
        if not reason:
            messages.error(request, _("Say why the message is discarded."))
            return redirect("inbound-detail", pk=message.pk)
        outcome = services.inbound_discard(message=message, actor=request.user, reason=reason)
    else:
        return redirect("inbound-detail", pk=message.pk)
    level = messages.SUCCESS if outcome.result in ("created", "appended") else messages.WARNING
    messages.add_message(
        request, level, _("Result: %(result)s. %(reason)s") % {"result": outcome.result, "reason": outcome.reason}
    )
    return redirect("inbound-detail", pk=message.pk)
