"""How long a sign-in lasts (issue 14; ASVS 3.3.1 idle timeout, 3.3.2 absolute lifetime).

- Staff (agents, TAMs, superusers): signed out after ``STAFF_SESSION_IDLE_MINUTES`` (30) without activity, and
  ``STAFF_SESSION_MAX_HOURS`` (12) after signing in, however active.
- Customers: what their account admin chose (``Account.session_idle_minutes``/``session_max_hours``); a person
  on several teams gets the strictest of them.

The session remembers when the person signed in (``user_logged_in``) and when they last did something. An
htmx poll (an element with ``hx-trigger="every ..."`` and the ``X-Portal-Poll`` header) is not activity: a
forgotten tab must time out. Views that need no sign-in (the token APIs, webhooks, health) are not touched.
An expired session is signed out and sent to the login page with ``next`` and a message saying why; an htmx
request gets ``HX-Redirect`` rather than a login page swapped into a fragment.
"""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db.models import Min
from django.http import HttpResponseRedirect
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import npgettext
from django_htmx.http import HttpResponseClientRedirect

SIGNED_IN_AT = "portal_signed_in_at"  # session keys: epoch seconds
SEEN_AT = "portal_seen_at"
POLICY = "portal_session_policy"  # [idle minutes, max hours], read again at most once a minute
POLL_HEADER = "X-Portal-Poll"
SEEN_RESOLUTION = 60  # seconds: activity is recorded to the minute


@dataclass(frozen=True)
class Policy:
    idle_minutes: int
    max_hours: int

    def expiry(self, *, signed_in_at: float, seen_at: float, now: float) -> str | None:
        """``"max"`` past the absolute lifetime, ``"idle"`` past the idle timeout, ``None`` while valid."""
        if now - signed_in_at > self.max_hours * 3600:
            return "max"
        if now - seen_at > self.idle_minutes * 60:
            return "idle"
        return None


def policy_for(user) -> Policy:
    """The one rule: staff by the settings, customers by the strictest of their accounts."""
    if user.is_staff:
        return Policy(settings.STAFF_SESSION_IDLE_MINUTES, settings.STAFF_SESSION_MAX_HOURS)
    from accounts.models import Account  # accounts imports core; core reads accounts only when asked

    strictest = Account.objects.filter(memberships__user=user).aggregate(
        idle=Min("session_idle_minutes"), max=Min("session_max_hours")
    )
    return Policy(
        strictest["idle"] or settings.CUSTOMER_SESSION_IDLE_MINUTES,
        strictest["max"] or settings.CUSTOMER_SESSION_MAX_HOURS,
    )


def duration(minutes: int) -> str:
    """``minutes`` as said after "after": 30 minutes, 12 hours, 7 days (Polish: the locative, "po 30 minutach")."""
    if minutes % 1440 == 0:
        return npgettext("after", "%(n)d day", "%(n)d days", minutes // 1440) % {"n": minutes // 1440}
    if minutes % 60 == 0:
        return npgettext("after", "%(n)d hour", "%(n)d hours", minutes // 60) % {"n": minutes // 60}
    return npgettext("after", "%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def stamp_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: the clocks start at sign-in (also for a re-login that keeps the session's data)."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SIGNED_IN_AT] = now
        _record_activity(request, policy_for(user), now)


def _record_activity(request, policy: Policy, now: float) -> None:
    """Note the activity and the policy just read (an admin's change applies within a minute)."""
    request.session[SEEN_AT] = now
    request.session[POLICY] = [policy.idle_minutes, policy.max_hours]


def is_poll(request) -> bool:
    return bool(getattr(request, "htmx", False)) and request.headers.get(POLL_HEADER) == "1"


class SessionTimeoutMiddleware:
    """After authentication and django-htmx, before the login-required middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not getattr(view_func, "login_required", True):
            return None
        now = timezone.now().timestamp()
        signed_in_at = request.session.get(SIGNED_IN_AT)
        if signed_in_at is None:  # a session from before this rule: its clocks start now
            stamp_sign_in(None, request, user)
            return None
        seen_at = request.session.get(SEEN_AT, signed_in_at)
        stored = request.session.get(POLICY)
        # Within a minute of the last recorded activity the stored policy holds (no query, no session write).
        fresh = stored is not None and now - seen_at < SEEN_RESOLUTION
        policy = Policy(*stored) if fresh else policy_for(user)
        why = policy.expiry(signed_in_at=signed_in_at, seen_at=seen_at, now=now)
        if why is not None:
            return _sign_out(request, policy, why)
        if not fresh and not is_poll(request):
            _record_activity(request, policy, now)
        return None


def _sign_out(request, policy: Policy, why: str):
    logout(request)
    if why == "idle":
        text = _("You were signed out after %(duration)s without activity. Sign in to continue.")
        messages.info(request, text % {"duration": duration(policy.idle_minutes)})
    else:
        text = _("You were signed out: a sign-in lasts at most %(duration)s. Sign in to continue.")
        messages.info(request, text % {"duration": duration(policy.max_hours * 60)})
    login = redirect_to_login(_back_to(request), settings.LOGIN_URL).url
    return HttpResponseClientRedirect(login) if getattr(request, "htmx", False) else HttpResponseRedirect(login)


def _back_to(request) -> str:
    """Where to go after signing in again: the page itself, or for a form post or an htmx request the page
    it was sent from (a POST-only address cannot be opened)."""
    if getattr(request, "htmx", False) and request.htmx.current_url_abs_path:
        return request.htmx.current_url_abs_path
    if request.method in {"GET", "HEAD"}:
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    if referer and url_has_allowed_host_and_scheme(referer, {request.get_host()}, require_https=request.is_secure()):
        parts = urlsplit(referer)
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return settings.LOGIN_REDIRECT_URL if settings.LOGIN_REDIRECT_URL.startswith("/") else "/"
