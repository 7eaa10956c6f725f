"""Dashboard and console panels kept rendered in the cache (issue 18): a page costs a few cache reads instead of
each panel's queries and templates, and never shows a stale or another account's answer.

- **What a panel shows changes** only through a write: every service writes an audit row, and
  ``accounts.audit.audit()`` calls :func:`changed` for the row's account (no account: every account's panels);
  saves and deletes of the models in ``WATCHED`` do too, so the account's version moves at the write and again
  when the transaction commits. Writers that are not services (the workers'
  sweeps, runs and bulk ``.update()`` calls) call :func:`changed` themselves. A page reads the versions first and
  looks up panels under them; a panel rendered from data older than a commit is stored under a version nobody
  asks for any more.
- **Text that changes with the clock** (a deadline passing, "checked 5 minutes ago", "tomorrow 09:00"): the
  panel says when with ``Panel.changes_at`` and is kept only until then (never longer than ``MAX_SECONDS``).
- **A busy feed** (availability rollups arriving every second) moves a version of its own, a *topic*
  (``changed(account_id, topic="availability")``): only the panels marked ``@cacheable(topics=(...))`` with it are
  drawn again, and the feed's writer moves it only when what those panels show can have changed. A topic of no
  account (``SHARED_TOPICS``: the Severity 1 line's rota and unmatched calls) has one version, moved by
  ``changed(None, topic=...)`` (``TOPICS_WATCHED``), so such a write renews the panels that show it alone.
- **Key**: account, both versions, language, time zone and the person looking (so role, permissions and
  anything personal can never cross from one person to another). The staff console's panels
  (:func:`render_console`) span the accounts the person reaches: their key holds a digest of every one's version,
  so a write on any of them, or a change in which accounts they are, is a new key.
- **Forms**: a CSRF token is the session's, and one person may be signed in twice; a panel is rendered with
  :func:`csrf_placeholder` as its token and each answer gets the request's own token in its place. A creating
  form's one-time token (``{% form_token %}``, ``core.idempotency``) is :func:`form_token_placeholder` in the
  cache (the context's ``form_token_placeholder``) and a fresh token in each answer, one per form.

A panel function opts in with ``@cacheable``; the screen's other panels run on every request as before. The
blocklists page keeps its parts the same way (``deliverability/blocklists/parts.py``).
"""

import hashlib
import json
import os
import secrets
from collections.abc import Callable
from datetime import datetime, time, timedelta
from functools import cache as cache_once
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.safestring import mark_safe

MAX_SECONDS = 300  # the longest a rendered panel is kept, whatever else happens
ALL = "panelv:all"


# What a release is made of, for the key: a deploy that changes a template, a view or a translation must not serve
# the previous release's HTML (and its static files' old hashed names) for up to MAX_SECONDS.
RELEASE_SUFFIXES = (".py", ".html", ".txt", ".mo", ".css", ".js", ".svg")
RELEASE_SKIP = frozenset({".git", ".venv", "var", "tests", "bench", "docs", "node_modules", "staticfiles", "media"})


# Settings a panel's text depends on, set from the environment: a restart that changes one (a list's key given, the
# incident merge distance, the Severity 1 number) draws the panels again. Only whether a list has a key counts.
SHOWN_SETTINGS = (
    "INCIDENT_MERGE_SECONDS",
    "SEVERITY1_DEFAULT_PHONE",
    "ROTA_GAP_WARN_HOURS",
    "BLOCKLIST_RESOLVER_LABEL",
    "CASE_REOPEN_DAYS",
    "PORTAL_NAME",
)


def _shown_settings() -> bytes:
    shown = {name: getattr(settings, name, None) for name in SHOWN_SETTINGS}
    shown["BLOCKLIST_KEYS"] = sorted(name for name, key in getattr(settings, "BLOCKLIST_KEYS", {}).items() if key)
    return json.dumps(shown, sort_keys=True, default=str).encode()


@cache_once
def release() -> str:
    """A digest of the code, templates and translations this process serves (read once per process, ~5 ms),
    and of the settings panels show (``SHOWN_SETTINGS``): the same on every process of one release, different as
    soon as one file or one of those settings differs."""
    digest = hashlib.sha256(_shown_settings())
    for folder, dirs, files in os.walk(settings.BASE_DIR):
        dirs[:] = sorted(d for d in dirs if d not in RELEASE_SKIP and not d.startswith("."))
        for name in sorted(f for f in files if f.endswith(RELEASE_SUFFIXES)):
            path = os.path.join(folder, name)
            digest.update(os.path.relpath(path, settings.BASE_DIR).encode())
            with open(path, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


# Topics of no account: one version each (``changed(None, topic)``), not one per account.
SHARED_TOPICS = frozenset({"sev1-line"})


def _version_key(account_id: int | None, topic: str = "") -> str:
    if account_id is None:
        return f"{ALL}:{topic}" if topic else ALL
    return f"panelv:{account_id}:{topic}" if topic else f"panelv:{account_id}"


def cacheable(fn: Callable | None = None, *, topics: tuple[str, ...] = ()) -> Callable:
    """Mark a dashboard panel function ``(request, account) -> Panel | None`` as kept in the cache; ``topics``:
    data kept under versions of their own besides the account's (``changed(account_id, topic=...)``, or
    ``changed(None, topic=...)`` for a topic of no account)."""

    def mark(fn: Callable) -> Callable:
        fn.cacheable, fn.topics = True, tuple(topics)
        return fn

    return mark if fn is None else mark(fn)


def changed(account_id: int | None, topic: str = "") -> None:
    """What the account's panels show changes with the current transaction. ``None``: something every account's
    panels may show (a TAM's calendar, a person's name, the list catalogue). ``topic``: only the account's panels
    marked with that topic (a busy feed must not throw away every other panel of the account); with no account,
    a topic of no account (``SHARED_TOPICS``).

    The version moves now and again when the transaction commits: a panel rendered in between, from the data as
    it was before the commit, is then stored under a version nobody asks for any more."""
    if topic and (account_id is None) != (topic in SHARED_TOPICS):
        raise ValueError(f"{topic!r}: a topic is either every account's own or of no account")
    key = _version_key(account_id, topic)
    cache.set(key, uuid4().hex, None)
    transaction.on_commit(lambda: cache.set(key, uuid4().hex, None))


def changed_many(account_ids) -> None:
    for account_id in set(account_ids):
        changed(account_id)


def next_midnight(now: datetime, tz=None) -> datetime:
    """The next start of a day in ``tz`` (the viewer's zone by default): when "today"/"tomorrow" wording and
    day-based figures change."""
    tz = tz or timezone.get_current_timezone()
    return datetime.combine(timezone.localdate(now, tz) + timedelta(days=1), time(0), tzinfo=tz)


def next_minute_of(since: datetime, now: datetime | None = None) -> datetime:
    """When ``timesince(since)`` ("12 minutes", "1 hour, 5 minutes") next changes: its finest unit is the minute,
    counted from ``since``."""
    now = now or timezone.now()
    if since is None or since > now:
        return now + timedelta(minutes=1)
    return since + timedelta(minutes=(now - since) // timedelta(minutes=1) + 1)


def query_digest(request) -> str:
    """The request's query string as a short digest: a panel drawn from the filters and page of a list is named
    with it (one entry per list shown)."""
    return hashlib.sha256(request.GET.urlencode().encode()).hexdigest()[:16]


def _topic_keys(account_ids, topic: str) -> list[str]:
    return [_version_key(None, topic)] if topic in SHARED_TOPICS else [_version_key(pk, topic) for pk in account_ids]


def _versions(account_ids, topics=()) -> dict[str, str]:
    """Every account's panel version, each of its ``topics``' (or the topic's own, for one of no account) and
    ``ALL``'s, by key."""
    keys = [ALL, *(_version_key(pk) for pk in account_ids), *(k for t in topics for k in _topic_keys(account_ids, t))]
    found = cache.get_many(keys)
    # Evicted or never set: a new version, so nothing cached before can be served. Written in one call (an agent
    # reaches every account); a new value racing another process's is only a miss, never an old version back.
    missing = {key: uuid4().hex for key in keys if key not in found}
    if missing:
        cache.set_many(missing, None)
        found.update(missing)
    return found


def _seconds_to_keep(panel, now: datetime) -> int:
    changes_at = getattr(panel, "changes_at", None)
    if changes_at is None:
        return MAX_SECONDS
    return max(0, min(MAX_SECONDS, int((changes_at - now).total_seconds())))


@cache_once
def csrf_placeholder() -> str:
    """What a cached panel holds where a form's CSRF token goes: the token is the session's, the cache is the
    person's (who may be signed in twice), so each answer gets its own token in its place. Derived from the
    secret key: no text a person types can match it."""
    return "csrf" + salted_hmac("core.panel_cache", "csrf placeholder").hexdigest()


@cache_once
def form_token_placeholder() -> str:
    """What a cached panel holds where a creating form's one-time token goes (``{% form_token %}``): each answer
    puts a fresh token in each place, as if the form were drawn then."""
    return "once" + salted_hmac("core.panel_cache", "form token placeholder").hexdigest()


def _csrf_token(request) -> str:
    """One masked CSRF token for every kept part of an answer: each ``get_token`` draws a new mask of 32 random
    characters, and the blocklists page put three parts together (issue 18)."""
    token = getattr(request, "_kept_parts_csrf_token", None)
    if token is None:
        token = request._kept_parts_csrf_token = get_token(request)
    return token


def with_tokens(request, html: str) -> str:
    """``html`` from the cache with the request's CSRF token and fresh one-time form tokens in their places."""
    placeholder, once = csrf_placeholder(), form_token_placeholder()
    if placeholder in html:
        html = html.replace(placeholder, _csrf_token(request))
    if once in html:
        parts = html.split(once)
        html = "".join(part + secrets.token_hex(16) for part in parts[:-1]) + parts[-1]
    return mark_safe(html)  # noqa: S308 - rendered HTML, and tokens of letters and digits put in: still safe


def render_all(request, account, functions: dict[str, Callable], render: Callable) -> list[str]:
    """Each dashboard panel's HTML, in order: cached ones from the cache when there, the rest computed by
    ``functions[name](request, account)`` and ``render(panel)``; a panel that answers None renders as ""."""
    return _render(request, [account.pk], functions, lambda fn: fn(request, account), render)


def render_console(request, account_ids, functions: dict[str, Callable], render: Callable) -> list[str]:
    """Each console panel's HTML (``functions[name](request)``), those marked ``@cacheable`` kept under the
    versions of every account in ``account_ids`` (the accounts the person reaches: a write on any of them, or a
    change in which accounts they are, is a new key)."""
    return _render(request, sorted(account_ids), functions, lambda fn: fn(request), render, screen="console")


def _scope(account_ids: list[int], versions: dict[str, str], topic: str = "") -> str:
    if len(account_ids) == 1 and not topic:
        (account_id,) = account_ids
        return f"{account_id}:{versions[_version_key(account_id)]}:{versions[ALL]}"
    # many accounts, or a topic's versions: ids and versions as one digest
    keys = _topic_keys(account_ids, topic) if topic else [ALL, *(_version_key(pk) for pk in account_ids)]
    return hashlib.sha256(" ".join(f"{key}={versions[key]}" for key in keys).encode()).hexdigest()


def _keys(request, account_ids: list[int], screen: str, functions: dict) -> dict[str, str]:
    """The cache key of each cacheable panel: the accounts' versions, and those of the panel's topics."""
    topics = sorted({topic for fn in functions.values() for topic in fn.topics})
    versions = _versions(account_ids, topics)
    language, zone = translation.get_language(), timezone.get_current_timezone_name()
    prefix = f"panel:{release()}:{screen}:{_scope(account_ids, versions)}:{language}:{zone}:{request.user.pk}"
    return {
        name: ":".join([prefix, name, *(f"{topic}={_scope(account_ids, versions, topic)}" for topic in fn.topics)])
        for name, fn in functions.items()
    }


def _render(request, account_ids, functions, call, render, screen: str = "dashboard") -> list[str]:
    cached = {name: fn for name, fn in functions.items() if getattr(fn, "cacheable", False)}
    keys = _keys(request, account_ids, screen, cached) if cached else {}
    hits = cache.get_many(list(keys.values())) if keys else {}
    out, store = [], {}
    for name, fn in functions.items():
        key = keys.get(name)
        if key in hits:
            out.append(hits[key])
            continue
        panel = call(fn)
        html = "" if panel is None else render(panel)
        if key and (seconds := _seconds_to_keep(panel, timezone.now())) > 0:
            store.setdefault(seconds, {})[key] = html
        out.append(html)
    for seconds, values in store.items():
        cache.set_many(values, seconds)
    placeholders = (csrf_placeholder(), form_token_placeholder())
    return [with_tokens(request, html) if any(p in html for p in placeholders) else html for html in out]


# Models whose saved rows the cached panels show, and where a row's account is (None: every account's panels;
# a TAM's calendar and a person's name show on every account they serve). Saves and deletes anywhere (services,
# the admin, workers, fixtures) move the version; bulk writes (``.update()``, ``bulk_create``) call ``changed``.
WATCHED = {
    "accounts.Account": "pk",
    "accounts.Membership": "account_id",
    "accounts.User": None,
    "accounts.BusinessCalendar": None,
    "accounts.OpeningWindow": None,
    "accounts.CalendarException": None,
    "cases.Case": "account_id",
    "cases.CaseEvent": "case.account_id",  # a case's timeline (cases/timeline.py)
    "cases.CaseAttachment": "case.account_id",
    "cases.CaseRating": "case.account_id",  # a case page's rating (cases/fragments.py)
    "cases.CannedReply": None,  # the staff case page's canned replies, of no account (cases/fragments.py)
    "cases.SavedView": None,  # the staff queue's saved views, a person's or the team's (cases/fragments.py)
    "deliverability.Blocklist": None,
    "deliverability.Article": None,  # the articles the blocklists page recommends
    "deliverability.MonitoredTarget": "account_id",
    "deliverability.ListingStatus": "target.account_id",
    "deliverability.Sweep": "account_id",
    "deliverability.AuthRun": "account_id",
    "deliverability.AuthFinding": "run.account_id",
    "deliverability.DmarcReport": "account_id",  # the console's DMARC panel
    "deliverability.MessageStream": "account_id",
    "planning.WarmupPlan": "account_id",
    "planning.DailyActual": "plan.account_id",
    "planning.MigrationPlan": "account_id",
    "planning.MigrationStream": "plan.account_id",
    "planning.Milestone": "plan.account_id",
}
M2M_WATCHED = {"planning.WarmupPlan": "sending_streams"}  # both ends of these have an ``account_id``
# Models of no account whose rows cached panels show, by topic (``SHARED_TOPICS``): the Severity 1 line's rota
# and its calls not matched to an account (the console's on-duty panel, MISSION CR-1, CR-2). A deleted account
# leaves its calls unmatched by a bulk SET NULL, which sends no signal of the calls' own.
TOPICS_WATCHED = {"cases.OnCallShift": "sev1-line", "cases.PhoneIntake": "sev1-line", "accounts.Account": "sev1-line"}
QUIET_USER_FIELDS = frozenset({"last_login"})  # signing in changes nothing a panel shows


def _account_of(instance, path: str | None) -> int | None:
    if path is None:
        return None
    value = instance
    for part in path.split("."):
        value = getattr(value, part)
    return value


def _on_write(sender, instance, path, update_fields=None, **kwargs):
    if update_fields and sender._meta.label == "accounts.User" and set(update_fields) <= QUIET_USER_FIELDS:
        return
    try:
        account_id = _account_of(instance, path)
    except Exception:  # noqa: BLE001 - a row whose parent is already gone: every account's panels, to be safe
        account_id = None
    changed(account_id)


def _on_topic_write(sender, instance, topic, **kwargs):
    changed(None, topic)


def _on_permissions(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        changed(None)


def watch_models() -> None:
    """Connect the save/delete signals of ``WATCHED`` (called once from ``PortalConfig.ready``)."""
    from functools import partial

    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for label, path in WATCHED.items():
        receiver = partial(_on_write, path=path)
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=apps.get_model(label), weak=False, dispatch_uid=f"panel_cache:{label}")
    for label, topic in TOPICS_WATCHED.items():
        receiver = partial(_on_topic_write, topic=topic)
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=apps.get_model(label), weak=False, dispatch_uid=f"panel_topic:{label}")
    for label, field in M2M_WATCHED.items():
        through = getattr(apps.get_model(label), field).through
        m2m_changed.connect(
            partial(_on_write, path="account_id"),
            sender=through,
            weak=False,
            dispatch_uid=f"panel_cache:{label}.{field}",
        )
    # What a staff role may do is Django permissions held through groups: a group's permissions or a person's
    # groups changed in the admin change which forms and buttons the kept panels hold, on every account.
    user = apps.get_model(settings.AUTH_USER_MODEL)
    for through in (
        apps.get_model("auth", "Group").permissions.through,
        user.groups.through,
        user.user_permissions.through,
    ):
        m2m_changed.connect(
            _on_permissions, sender=through, weak=False, dispatch_uid=f"panel_cache:{through._meta.label}"
        )
