"""The reputation page (issue 19): Gmail's view of the account's domains from Postmaster Tools, per domain
the spam rate over 30 or 90 days against Gmail's 0.10% target and 0.30% limit, the reputation per day,
delivery errors and the last import (in the reader's zone); and the account admin's connect / disconnect
(OAuth 2.0 with PKCE; Google sends the admin back to one callback address for all accounts, the account
kept in the session with the state). Another account's page is a 404. MISSION: DLV-1, TAM-6."""

import dataclasses
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.access import can, require
from accounts.models import Account
from accounts.shortcuts import visible_account as _account
from core import ratelimit

from ..models import PostmasterConnection, PostmasterDay, PostmasterDomain
from . import postmaster_chart as chart
from . import postmaster_oauth as oauth
from . import postmaster_services as services

WINDOWS = (30, 90)
SESSION_KEY = "postmaster_oauth"


def _domain_rows(account, first, days):
    rows = list(PostmasterDay.objects.filter(account=account, day__gte=first).order_by("domain", "day"))
    out = []
    for domain in PostmasterDomain.objects.filter(account=account):
        mine = [r for r in rows if r.domain == domain.name]
        out.append(
            {
                "domain": domain,
                "days": list(reversed(mine))[:14],  # the newest two weeks in the table
                "latest": mine[-1] if mine else None,
                "chart": chart.chart(mine, first, days),
            }
        )
    return out


@require_GET
def reputation(request, slug):
    account = _account(request, slug)
    days = int(request.GET["days"]) if request.GET.get("days") in {"30", "90"} else 30
    today = timezone.now().date()
    first = today - timedelta(days=days)
    context = {
        "account": account,
        "days": days,
        "windows": WINDOWS,
        "connection": PostmasterConnection.objects.filter(account=account).select_related("connected_by").first(),
        "domains": _domain_rows(account, first, days),
        "can_connect": can(request.user, "postmaster.connect", account),
        "can_import": can(request.user, "postmaster.import", account),
        "configured": bool(settings.POSTMASTER_CLIENT_ID),
        "target": chart.TARGET,
        "limit": chart.LIMIT,
    }
    template = "deliverability/reputation/postmaster_page.html" + ("#postmaster-import" if request.htmx else "")
    response = render(request, template, context)
    # "Connect" posts here and is redirected to Google: the page's form-action allows Google's sign-in too
    # (a strict Content-Security-Policy applies form-action to the redirect).
    authorize = urlsplit(settings.POSTMASTER_AUTHORIZE_URL)
    response._csp_update = {"form-action": [f"{authorize.scheme}://{authorize.netloc}"]}
    return response


def _callback_uri(request) -> str:
    return request.build_absolute_uri(reverse("postmaster-callback"))


@require_POST
def connect(request, slug):
    account = _account(request, slug)
    require(request.user, "postmaster.connect", account)
    url, pending = oauth.start(account.pk, _callback_uri(request))
    request.session[SESSION_KEY] = dataclasses.asdict(pending)
    return redirect(url)


@require_GET
def callback(request):
    """Google's redirect back. The account comes from the session, never from the request: a forged or
    replayed redirect (another state) is refused and changes nothing."""
    saved = request.session.pop(SESSION_KEY, None)
    if not saved:
        raise Http404
    pending = oauth.Pending(**saved)
    account = Account.objects.visible_to(request.user).filter(pk=pending.account_id).first()
    if account is None:
        raise Http404
    require(request.user, "postmaster.connect", account)
    page = redirect("reputation", slug=account.slug)
    try:
        code = oauth.code_from(request.get_full_path(), pending)
    except oauth.MismatchingStateException:
        messages.error(request, _("The answer from Google did not match this sign-in (state): nothing was connected."))
        return page
    except oauth.OAuthError as error:
        messages.error(
            request, _("Google did not give access (%(error)s): nothing was connected.") % {"error": error.error}
        )
        return page
    try:
        tokens = oauth.exchange(code, pending, _callback_uri(request), timezone.now())
    except oauth.OAuthError as error:
        messages.error(request, _("Google refused the connection (%(error)s): try again.") % {"error": error.error})
        return page
    services.postmaster_connect(account=account, actor=request.user, tokens=tokens)
    messages.success(request, _("Google Postmaster Tools is connected; the last 90 days are being imported."))
    return page


@require_POST
def disconnect(request, slug):
    account = _account(request, slug)
    require(request.user, "postmaster.connect", account)
    if services.postmaster_disconnect(account=account, actor=request.user):
        messages.success(request, _("Google Postmaster Tools is disconnected and its permission revoked."))
    return redirect("reputation", slug=account.slug)


@require_POST
def import_now(request, slug):
    """Queue an import now (account admin, the account's TAMs); the page shows it queued, running, done."""
    account = _account(request, slug)
    require(request.user, "postmaster.import", account)
    limit = settings.POSTMASTER_IMPORTS_PER_HOUR
    if ratelimit.wait(f"postmaster-import:{account.pk}", limit=limit, seconds=3600):
        messages.error(
            request,
            _("Too many imports asked for: at most %(limit)s an hour for this account. Try again later.")
            % {"limit": limit},
        )
    elif services.postmaster_import_request(account=account, actor=request.user):
        messages.success(request, _("The import is queued; this page shows when it is done."))
    else:
        messages.info(request, _("An import is already queued or running, or Postmaster Tools is not connected."))
    return redirect("reputation", slug=account.slug)
