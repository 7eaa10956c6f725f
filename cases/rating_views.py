"""The satisfaction rating (issue 15; MISSION NC-5, CR-5): on the case page, and from the link in the email
that told the customer their case is resolved (signed token, works until the case is rated)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.idempotency import once

from .forms import RatingForm
from .models import Case
from .services import CaseStateError, satisfaction


def _rate(request, case, form, *, actor, channel: str):
    """The rating, once per submitted form (``once``) and once per case (the service and the database)."""
    data = form.cleaned_data
    if not request.user.is_authenticated:  # the email link signed out: the case's one rating row is the guard
        satisfaction.case_rate(case=case, actor=None, score=data["score"], comment=data["comment"], channel=channel)
        messages.success(request, _("Thank you for your rating."))
        return None
    outcome = once(
        request,
        lambda: satisfaction.case_rate(
            case=case, actor=actor, score=data["score"], comment=data["comment"], channel=channel
        ),
        result=lambda rating: request.path,
    )
    if not outcome.repeat:
        messages.success(request, _("Thank you for your rating."))
    return outcome


@require_POST
def case_rate(request, slug, number):
    case = get_object_or_404(Case.objects.visible_to(request.user).for_page(), account__slug=slug, number=number)
    form = RatingForm(request.POST)
    try:
        if not form.is_valid():
            raise CaseStateError(" ".join(e for errs in form.errors.values() for e in errs))
        _rate(request, case, form, actor=request.user, channel="portal")
    except CaseStateError as exc:
        messages.error(request, str(exc))
    return redirect(case)


@login_not_required
@require_http_methods(["GET", "POST"])
def rate_by_email(request, token):
    """The link in the resolution email. A signed-in customer of another account, or staff, may not use it."""
    case = satisfaction.case_from_token(token)
    if case is None:
        raise Http404
    actor = request.user if request.user.is_authenticated else None
    form = RatingForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise CaseStateError(" ".join(e for errs in form.errors.values() for e in errs))
            _rate(request, case, form, actor=actor, channel="email")
            return redirect(request.path)
        except CaseStateError as exc:
            messages.error(request, str(exc))
    rating = satisfaction.rating_of(case)
    done = rating is not None or not satisfaction.agreed_resolution(case)
    status = 400 if request.method == "POST" else 200
    context = {"case": case, "form": form, "done": done, "rating": rating}
    return render(request, "cases/rate.html", context, status=status)
