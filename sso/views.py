"""The account's single sign-on page (its admin and its TAM), and the email-first "Sign in with your company"
page, which finds the connection by the address's verified domain and starts it (no list of customers'
identity providers is ever shown: it would tell who our customers are)."""

import requests
from allauth.socialaccount.adapter import get_adapter
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.base import AuthProcess
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.access import can, require
from accounts.models import Account
from core.network import client_ip
from core.ratelimit import allow

from . import policy, saml, services
from .forms import ConnectionForm, DomainForm, EmailForm
from .models import SsoConnection, SsoDomain

STARTS_PER_CLIENT_PER_MINUTE = 20


def _account(request, slug) -> Account:
    account = get_object_or_404(Account.objects.visible_to(request.user), slug=slug)
    require(request.user, "sso.manage", account)
    return account


def _connection(request, slug, pk) -> SsoConnection:
    connection = get_object_or_404(
        SsoConnection.objects.visible_to(request.user).select_related("account"), account__slug=slug, pk=pk
    )
    require(request.user, "sso.manage", connection.account)
    return connection


def _domain(request, slug, pk) -> SsoDomain:
    found = get_object_or_404(
        SsoDomain.objects.visible_to(request.user).select_related("connection__account"),
        connection__account__slug=slug,
        pk=pk,
    )
    require(request.user, "sso.manage", found.connection.account)
    return found


@require_http_methods(["GET", "POST"])
def settings_page(request, slug):
    account = _account(request, slug)
    form = ConnectionForm(request.POST or None, prefix="new")
    if request.method == "POST" and form.is_valid():
        try:
            connection = services.connection_create(account=account, actor=request.user, **form.changes())
        except services.SsoError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Connection saved. Add the email domains it signs in."))
            return redirect("sso-connection", slug=account.slug, pk=connection.pk)
    connections = account.sso_connections.prefetch_related("domains")
    return render(request, "sso/settings.html", {"account": account, "connections": connections, "form": form})


@require_http_methods(["GET", "POST"])
def connection_page(request, slug, pk):
    connection = _connection(request, slug, pk)
    form = ConnectionForm(request.POST or None, instance=SsoConnection.objects.get(pk=connection.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.connection_update(connection=connection, actor=request.user, **form.changes())
        except services.SsoError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Connection saved."))
            return redirect("sso-connection", slug=slug, pk=connection.pk)
    return _connection_page(request, connection, form=form)


def _connection_page(request, connection, *, form=None, domain_form=None, status=200):
    callback = reverse("openid_connect_callback", kwargs={"provider_id": connection.provider_id})
    context = {
        "account": connection.account,
        "connection": connection,
        "form": form or ConnectionForm(instance=connection),
        "domain_form": domain_form or DomainForm(),
        "domains": connection.domains.all(),
        "redirect_uri": request.build_absolute_uri(callback),
        "saml_sp": saml.sp_details(request, connection),
        "can_confirm": can(request.user, "sso.confirm_domain", connection.account),
    }
    return render(request, "sso/connection.html", context, status=status)


@require_POST
def domain_add(request, slug, pk):
    connection = _connection(request, slug, pk)
    form = DomainForm(request.POST)
    if form.is_valid():
        try:
            services.domain_add(connection=connection, actor=request.user, domain=form.cleaned_data["domain"])
        except services.SsoError as error:
            form.add_error("domain", error)
        else:
            messages.success(request, _("Domain added. Publish its TXT record, then check it."))
            return redirect("sso-connection", slug=slug, pk=connection.pk)
    return _connection_page(request, connection, domain_form=form, status=400)


@require_POST
def domain_verify(request, slug, pk):
    found = _domain(request, slug, pk)
    if services.domain_verify(domain=found, actor=request.user):
        messages.success(request, _("%(domain)s is verified.") % {"domain": found.domain})
    else:
        messages.error(
            request,
            _("No TXT record %(record)s was found at %(domain)s yet. DNS changes can take a while to show.")
            % {"record": found.txt_record, "domain": found.domain},
        )
    return redirect("sso-connection", slug=slug, pk=found.connection_id)


@require_POST
def domain_confirm(request, slug, pk):
    found = _domain(request, slug, pk)
    require(request.user, "sso.confirm_domain", found.connection.account)
    services.domain_confirm(domain=found, actor=request.user)
    messages.success(request, _("%(domain)s is verified.") % {"domain": found.domain})
    return redirect("sso-connection", slug=slug, pk=found.connection_id)


@require_POST
def domain_remove(request, slug, pk):
    found = _domain(request, slug, pk)
    connection_id = found.connection_id
    services.domain_remove(domain=found, actor=request.user)
    messages.success(request, _("Domain removed."))
    return redirect("sso-connection", slug=slug, pk=connection_id)


@login_not_required
@require_http_methods(["GET", "POST"])
def sign_in(request):
    """Sign in with your company: the address's verified domain picks the connection, which starts at once."""
    if request.user.is_authenticated:
        return redirect("home")
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not allow(f"sso-start:ip:{client_ip(request)}", limit=STARTS_PER_CLIENT_PER_MINUTE, seconds=60):
            form.add_error(None, _("Too many attempts. Wait a minute and try again."))
        else:
            started = _start(request, form.cleaned_data["email"])
            if started is not None:
                return started
            form.add_error(None, _("Your company's sign-in is not available. Sign in with your password."))
    return render(request, "sso/sign_in.html", {"form": form}, status=400 if form.errors else 200)


def _start(request, email: str):
    """The page that sends the person on to the identity provider of the address's connection; ``None`` when
    there is none (the page says the same whether the domain has no connection or its provider does not
    answer). Not a redirect: the Content-Security-Policy lets our forms post only to us, and a browser holds
    a form's redirect to that too; a refresh (and a link) on a page of ours may go anywhere."""
    connection = policy.connection_for(email)
    if connection is None:
        return None
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False)
    kwargs = {"process": AuthProcess.LOGIN, "next_url": next_url if safe and next_url else None}
    try:
        provider = get_adapter(request).get_provider(request, connection.provider_id)
        if connection.protocol == SsoConnection.Protocol.OIDC:
            kwargs["auth_params"] = {**provider.get_auth_params(), "login_hint": email}
        redirect_ = provider.redirect(request, **kwargs)
    except (SocialApp.DoesNotExist, requests.RequestException, OAuth2Error, ValueError):
        return None
    if redirect_.status_code != 302:
        return None  # allauth's own error page: the provider's configuration could not be read
    return render(request, "sso/continue.html", {"connection": connection, "url": redirect_["Location"]})


@login_not_required
def start_elsewhere(request, **kwargs):
    return redirect("sso-login")
