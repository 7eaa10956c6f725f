"""The account admin's choice of how long the team's sign-ins last (issue 14; ASVS 3.3.1, 3.3.2)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from . import services
from .access import require
from .forms import SessionPolicyForm
from .models import Account


@require_http_methods(["GET", "POST"])
def session_policy(request, slug):
    """Only the account's admins see it: anyone else gets the 404 of a page that does not exist."""
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    require(request.user, "sessions.manage", account)
    form = SessionPolicyForm(request.POST or None, instance=Account.objects.get(pk=account.pk))
    if request.method == "POST" and form.is_valid():
        services.account_set_session_policy(
            account=account,
            actor=request.user,
            idle_minutes=form.cleaned_data["session_idle_minutes"],
            max_hours=form.cleaned_data["session_max_hours"],
        )
        messages.success(request, _("Sign-in limits saved. They apply to everyone on the team from now on."))
        return redirect("team-sessions", slug=account.slug)
    return render(request, "accounts/session_policy.html", {"account": account, "form": form})
