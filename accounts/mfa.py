"""Two-factor sign-in and sessions (issue 14; ASVS 2.7, 2.8, 3.3.4): who must have a second factor, the
middleware that sends them to set one up before anything else, the audit of second-factor changes and of
signing out other sessions, and the verified address allauth keeps beside each person.

The second factor itself is django-allauth's (``allauth.mfa``: TOTP, WebAuthn security keys and passkeys,
recovery codes, "trust this browser"): no crypto of ours. Sign-in goes through allauth's login (also for
the Django admin, see portal/urls.py), which asks for the second factor of everyone who has one; so a person
who must have one is either asked for it at every sign-in or is held on the set-up pages here.
"""

import functools

from allauth.account.models import EmailAddress
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from .audit import audit
from .models import AuditEvent, Membership, User

# What counts as a second factor; recovery codes only stand in for a lost one.
FACTORS = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)


def required_for(user) -> bool:
    """Staff always (agents, TAMs, superusers); a customer when an account of theirs requires it."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.is_staff:
        return True
    return Membership.objects.filter(user_id=user.pk, account__require_two_factor=True).exists()


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTORS).exists()


def can_remove(authenticator: Authenticator) -> bool:
    """Removing the last second factor of someone who must have one is refused."""
    if authenticator.type not in FACTORS:
        return True
    others = Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTORS).exclude(pk=authenticator.pk)
    return others.exists() or not required_for(authenticator.user)


def _open_paths() -> tuple[str, ...]:
    """Where a person without a required second factor may still go: setting one up (and confirming their
    password for it), signing out, the language switch, static files. Asked on every request: reversed once per
    script prefix (issue 18)."""
    return _open_paths_under(get_script_prefix())


@functools.cache
def _open_paths_under(prefix: str) -> tuple[str, ...]:
    return (
        reverse("mfa_index"),
        reverse("account_reauthenticate"),
        reverse("logout"),
        reverse("set-language"),
        reverse("healthz"),
        settings.STATIC_URL if settings.STATIC_URL.startswith("/") else f"/{settings.STATIC_URL}",
    )


RECHECK_SECONDS = 300  # "no set-up needed" is remembered this long (Django's cache), then asked again


def _ok_key(user_pk) -> str:
    return f"two-factor:ok:{user_pk}"


def needs_set_up(user) -> bool:
    """Must this person set up a second factor before going on? "No" is remembered in the cache for a few
    minutes (no query on every page); adding or removing a factor, or an account changing its rule, forgets
    it (``forget``)."""
    if cache.get(_ok_key(user.pk)):
        return False
    if required_for(user) and not has_second_factor(user):
        return True
    cache.set(_ok_key(user.pk), True, RECHECK_SECONDS)
    return False


def forget(user_ids) -> None:
    cache.delete_many([_ok_key(pk) for pk in user_ids])


class RequireTwoFactorMiddleware:
    """A signed-in person who must have a second factor and has none is sent to set one up, whatever page
    they asked for (the console, the queue, the admin). The answer to htmx is an ``HX-Redirect``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path_info.startswith(_open_paths())
            and needs_set_up(user)
        ):
            return self._to_set_up(request)
        return self.get_response(request)

    def _to_set_up(self, request):
        target = reverse("mfa_index")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        if request.method == "GET":
            messages.warning(
                request, _("Set up two-factor sign-in to continue: an authenticator app or a security key.")
            )
        return redirect(target)


# --- audit: second factors and sessions --------------------------------------------------------------------
# allauth saves the authenticator; its signal arrives right after, and the audit row is written at once.


def _audit_person(request, user, kind: str, **details) -> None:
    with transaction.atomic():
        actor = request.user if request.user.is_authenticated else user
        audit(actor=actor, account=None, kind=kind, target=user, **details)


@receiver(mfa_signals.authenticator_added)
def _added(sender, request, user, authenticator, **kwargs):
    forget([user.pk])
    _audit_person(request, user, AuditEvent.Kind.AUTHENTICATOR_ADDED, type=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def _removed(sender, request, user, authenticator, **kwargs):
    forget([user.pk])
    _audit_person(request, user, AuditEvent.Kind.AUTHENTICATOR_REMOVED, type=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def _reset(sender, request, user, authenticator, **kwargs):
    _audit_person(request, user, AuditEvent.Kind.RECOVERY_CODES_RENEWED, type=authenticator.type)


BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"), ("Safari/", "Safari"))
SYSTEMS = (("Android", "Android"), ("iPhone", "iOS"), ("iPad", "iPadOS"), ("Windows", "Windows"), ("Mac OS X", "macOS"))
SYSTEMS += (("CrOS", "ChromeOS"), ("Linux", "Linux"))


def browser_of(user_agent: str) -> str:
    """ "Chrome on Linux" from a User-Agent header; the header itself when it names neither."""
    browser = next((name for mark, name in BROWSERS if mark in user_agent), "")
    system = next((name for mark, name in SYSTEMS if mark in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or user_agent[:80] or _("Unknown browser")


def sessions_of(request) -> list[dict]:
    """The signed-in person's own live sessions, this one first, then the most recently seen."""
    current = request.session.session_key
    sessions = sorted(
        UserSession.objects.purge_and_list(request.user),
        key=lambda s: (s.session_key != current, -s.last_seen_at.timestamp()),
    )
    return [{"session": s, "browser": browser_of(s.user_agent), "current": s.session_key == current} for s in sessions]


@transaction.atomic
def sessions_end_others(request) -> int:
    """Sign the person out everywhere but here (ASVS 3.3.4); audited with the number of sessions ended."""
    others = [s for s in UserSession.objects.filter(user_id=request.user.pk) if not s.is_current()]
    for session in others:
        session.end()
    if others:
        audit(
            actor=request.user,
            account=None,
            kind=AuditEvent.Kind.SESSIONS_ENDED,
            target=request.user,
            sessions=len(others),
            addresses=sorted({s.ip for s in others}),
        )
    return len(others)


SEEN_EVERY_SECONDS = 60


def _seen_key(session_key: str) -> str:
    return f"session-seen:{session_key}"


class SessionActivityMiddleware:
    """ "Last seen" of the profile's session list: allauth.usersessions records each session at sign-in; its
    last-seen time is written here at most once a minute per session, not on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        key = getattr(getattr(request, "session", None), "session_key", None)
        if user is not None and user.is_authenticated and key and cache.add(_seen_key(key), 1, SEEN_EVERY_SECONDS):
            UserSession.objects.filter(session_key=key, user_id=user.pk).update(last_seen_at=timezone.now())
        return self.get_response(request)


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    """At sign-in the session was just recorded, and whether a second factor must be set up is answered now."""
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        cache.set(_seen_key(session.session_key), 1, SEEN_EVERY_SECONDS)
    needs_set_up(user)


# --- verified addresses ---------------------------------------------------------------------------------------


@receiver(post_save, sender=User)
def _verified_address(sender, instance: User, created=False, raw=False, update_fields=None, **kwargs):
    """Staff and invitations create people, so their address is verified; allauth keeps it beside them
    (migration 0010 did so for everyone created before)."""
    if raw or not instance.email or (update_fields is not None and "email" not in update_fields):
        return
    if created:  # a new person holds no address yet
        EmailAddress.objects.create(user=instance, email=instance.email, verified=True, primary=True)
        return
    held = list(EmailAddress.objects.filter(user=instance).values_list("email", "verified", "primary"))
    if held == [(instance.email, True, True)]:
        return  # the usual save: one read, nothing to write
    EmailAddress.objects.filter(user=instance).exclude(email__iexact=instance.email).delete()
    EmailAddress.objects.update_or_create(
        user=instance,
        email__iexact=instance.email,
        defaults={"email": instance.email, "verified": True, "primary": True},
    )
