"""Profile, team and (for staff) audit-trail pages. Every object is fetched through ``visible_to``: another
account's is a 404, and so is a change the person may not make (``accounts.access.require``)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.decorators import staff_required
from core.idempotency import once
from core.pagination import CappedPaginator

from . import mfa, services
from .access import require
from .forms import MemberAddForm, MemberRoleForm, ProfileForm, TwoFactorRequirementForm
from .models import Account, AuditEvent, Membership


@require_http_methods(["GET", "POST"])
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(user=request.user, **{f: form.cleaned_data[f] for f in form.fields})
        messages.success(request, _("Your profile is saved."))
        return redirect("profile")
    context = {"form": form, "sessions": mfa.sessions_of(request), "two_factor": mfa.has_second_factor(request.user)}
    return render(request, "accounts/profile.html", context)


@require_POST
def sessions_end_others(request):
    """ "Sign out everywhere else": every other session of the person ends (ASVS 3.3.4)."""
    ended = mfa.sessions_end_others(request)
    messages.success(request, _("Signed out of %(count)d other session(s).") % {"count": ended})
    return redirect("profile")


def _team_context(request, account, form=None):
    memberships = Membership.objects.filter(account=account).select_related("user").order_by("user__full_name")
    return {
        "account": account,
        "memberships": memberships,
        "form": form or MemberAddForm(),
        "role_choices": Membership.Role.choices,
        "two_factor_form": TwoFactorRequirementForm(initial={"require_two_factor": account.require_two_factor}),
    }


def _team_response(request, account, form=None):
    """An htmx form is answered with the panel it targets; nothing else on the page listens for a change."""
    template = "accounts/team.html#team-panel" if request.htmx else "accounts/team.html"
    return render(request, template, _team_context(request, account, form))


@require_http_methods(["GET", "POST"])
def team(request, slug):
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    if request.method == "GET":
        return render(request, "accounts/team.html", _team_context(request, account))
    require(request.user, "team.manage", account)
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:  # a double submit sends one invitation
            added = once(
                request,
                lambda: services.membership_add(account=account, actor=request.user, **form.cleaned_data),
                result=lambda _membership: reverse("team", kwargs={"slug": account.slug}),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not added.repeat:
                messages.success(request, _("%(name)s was added to the team.") % {"name": added.created.user})
            if not request.htmx:
                return redirect(added.url)
            form = None
    return _team_response(request, account, form)


@require_POST
def team_two_factor(request, slug):
    """The account admin (or the account's TAM) requires two-factor sign-in of the team; a 404 for others."""
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    require(request.user, "team.manage", account)
    form = TwoFactorRequirementForm(request.POST)
    if form.is_valid():
        required = form.cleaned_data["require_two_factor"]
        services.account_require_two_factor(account=account, actor=request.user, required=required)
        if required:
            messages.success(request, _("Everyone on the team now signs in with a second factor."))
        else:
            messages.success(request, _("Two-factor sign-in is now each person's choice."))
    return redirect("team", slug=account.slug)


def _membership_for(request, slug, pk):
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("user", "account"), pk=pk, account=account
    )
    require(request.user, "team.manage", account)
    return account, membership


@require_POST
def member_role(request, slug, pk):
    account, membership = _membership_for(request, slug, pk)
    form = MemberRoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_set_role(membership=membership, actor=request.user, role=form.cleaned_data["role"])
            messages.success(
                request,
                _("%(name)s is now: %(role)s.") % {"name": membership.user, "role": membership.get_role_display()},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return _team_response(request, account) if request.htmx else redirect("team", slug=account.slug)


@require_POST
def member_remove(request, slug, pk):
    account, membership = _membership_for(request, slug, pk)
    try:
        services.membership_remove(membership=membership, actor=request.user)
        messages.success(request, _("%(name)s was removed from the team.") % {"name": membership.user})
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _team_response(request, account) if request.htmx else redirect("team", slug=account.slug)


@staff_required
@require_GET
def audit_trail(request, slug):
    """The account's audit trail, newest first, for the staff who work on the account (a 404 for others)."""
    account = get_object_or_404(Account.objects.staffed_by(request.user), slug=slug)
    events = AuditEvent.objects.visible_to(request.user).filter(account=account).select_related("actor", "target_type")
    page = CappedPaginator(events.order_by("-created_at", "-id"), 50).get_page(request.GET.get("page"))
    return render(request, "accounts/audit.html", {"account": account, "page": page, "filters": {}})
