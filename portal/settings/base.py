"""Settings shared by every environment, read from the environment (12-factor).

With nothing set, the portal runs on the *embedded default*: SQLite and Celery's ``filesystem://``
broker under ``var/``, so ``make run`` needs no server. ``DATABASE_URL`` and ``REDIS_URL`` (or
``CELERY_BROKER_URL``) switch to PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_list

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
# Fernet keys (comma-separated, newest first) sealing the secrets the portal stores and must send again (an SNDS
# key, Google's tokens, an IdP's client secret: core/sealed.py); empty: one key derived from SECRET_KEY (a changed
# SECRET_KEY then makes them unreadable: set these in production). Rotate: README, "Sealed secrets".
SEALING_KEYS = env_list("SEALING_KEYS")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",  # allauth's security-key list says "last used 3 days ago"
    "django.contrib.postgres",  # the case search's lookups (cases/search.py; unused on SQLite)
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "axes",
    # Sign-in, two-factor (TOTP, WebAuthn, recovery codes) and the list of a person's sessions (accounts/mfa.py).
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    # Customers sign in with their company's identity provider (sso/): allauth's social accounts, whose apps
    # come from sso.SsoConnection rows (sso/adapters.py), not from settings.
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",  # SAML 2.0 (python3-saml), sso/saml.py
    "django_celery_results",
    "anymail",
    "django_structlog",
    "accounts",
    "cases",
    "deliverability",
    "planning",
    "availability",
    "api",  # issue 20: the REST API (django-ninja), /api/v1/
    "integrations",
    "sso",  # issue 20: single sign-on for customer companies
    "portal",  # the last app: its ready() resumes the garbage collector manage.py paused (portal/apps.py)
]

MIDDLEWARE = [
    "core.metrics.RequestMetricsMiddleware",  # first: times the whole answer
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django_structlog.middlewares.RequestMiddleware",
    "core.logs.AccountContextMiddleware",
    # Idle and absolute session timeouts (issue 14, ASVS 3.3): before the login-required check.
    "core.sessions.SessionTimeoutMiddleware",
    "portal.middleware.HtmxLoginRequiredMiddleware",
    "portal.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.mfa.SessionActivityMiddleware",  # allauth.usersessions' "last seen", once a minute
    # Staff, and the people of an account that requires it, set up a second factor before anything else.
    "accounts.mfa.RequireTwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Axes last, as its documentation asks: it turns lockouts into a response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "portal" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.portal",
            ],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: web, worker and beat share one file; WAL lets them read while one writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Issue 18: migrations run while the previous release serves traffic. This backend (django-pg-zero-downtime-
    # migrations) builds indexes CONCURRENTLY, adds constraints NOT VALID then validates, never waits on a lock
    # longer than ZERO_DOWNTIME_MIGRATIONS_LOCK_TIMEOUT, and refuses operations that would hold one (e.g. a
    # column's type change that rewrites the table). For everything but migrations it is Django's own backend.
    DATABASES["default"]["ENGINE"] = "django_zero_downtime_migrations.backends.postgres"
    # libpq waits for ever on a database host that drops packets: a page, /healthz and a worker give up after this.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", int(os.environ.get("DB_CONNECT_TIMEOUT", "5"))
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Browser defences (ASVS 14.4.3, 14.4.6, 14.4.7): scripts and stylesheets only from our own origin, no inline script or
# handler (tests/portal/test_htmx_contract.py keeps the templates so), no plugins, no framing, forms post
# only to us. Inline style attributes stay allowed (style-src-attr): they run no code. htmx's own indicator
# <style> is switched off in base.html and lives in app.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
# Browser features the portal never uses are off for it and anything it could embed.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
        "display-capture",
    )
}
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REFERRER_POLICY = "same-origin"
from .signin import *  # noqa: E402, F403 - sign-in, second factor, sessions, lockout

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("pl", _("Polish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))

# E-mail: console in development unless EMAIL_BACKEND/EMAIL_HOST say otherwise.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Email Enterprise Support <support@portal.test>")
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Blocklist monitoring (MISSION: DLV-2). Spamhaus and URIBL refuse public resolvers (8.8.8.8, big clouds):
# in production point BLOCKLIST_NAMESERVERS at your own recursive resolver (e.g. Unbound). Empty: the
# system's resolvers from /etc/resolv.conf. Entries are "host" or "host:port" ("[v6]:port").
BLOCKLIST_NAMESERVERS = env_list("BLOCKLIST_NAMESERVERS", "")
BLOCKLIST_PORT = int(os.environ.get("BLOCKLIST_PORT", "53"))
BLOCKLIST_RESOLVER_LABEL = os.environ.get("BLOCKLIST_RESOLVER_LABEL", "")  # shown on the page, e.g. "Unbound"
BLOCKLIST_KEYS = {
    "spamhaus_dqs": os.environ.get("SPAMHAUS_DQS_KEY", ""),
    "abusix": os.environ.get("ABUSIX_KEY", ""),
}
# In flight: at most BLOCKLIST_WINDOW queries in all, under what your resolver takes from one client (Unbound:
# num-queries-per-thread 1024 per thread, beyond which it drops queries), and BLOCKLIST_PER_ZONE to one list.
# 400 per list: a run on three or more lists fills the window (3 x 400 > 1000; at 200 it stopped at 600), one
# list alone gets at most 400. Public lists limit volume (Spamhaus: queries per day), which concurrency does not
# change: a sweep asks the same names either way, sooner. The engine's defaults (deliverability/engine/config.py).
BLOCKLIST_WINDOW = int(os.environ.get("BLOCKLIST_WINDOW", "1000"))  # queries in flight
BLOCKLIST_PER_ZONE = int(os.environ.get("BLOCKLIST_PER_ZONE", "400"))  # queries in flight to one list
BLOCKLIST_TIMEOUT = float(os.environ.get("BLOCKLIST_TIMEOUT", "2.0"))  # seconds, one attempt at most
BLOCKLIST_RETRIES = int(os.environ.get("BLOCKLIST_RETRIES", "3"))
BLOCKLIST_MAX_TARGETS = int(os.environ.get("BLOCKLIST_MAX_TARGETS", "20000"))  # per account
BLOCKLIST_CHUNK = int(os.environ.get("BLOCKLIST_CHUNK", "250"))  # targets per task on the dns queue

# Celery. REDIS_URL or CELERY_BROKER_URL for production; the filesystem broker otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "filesystem://localhost//")
# The cache holds rate-limit counts (core/ratelimit.py): shared by every web process on Redis; per process
# in memory otherwise (the embedded default runs one). On Redis: Django's backend, one client per process
# (core/redis_cache.py).
CACHES = {
    "default": {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": REDIS_URL}
    if REDIS_URL
    # Room for every account's panel version (core/panel_cache.py): at Django's 300 entries a person reaching
    # a thousand accounts evicted them all on every request.
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 50_000}}
}
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _d in (_queue_dir, _processed_dir, _control_dir):
        _d.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(_control_dir),
        "store_processed": False,
    }
else:
    # Tasks must finish (time limits below) well inside the broker's visibility timeout. A Redis that accepts
    # connections but never answers (a failover, a NAT or firewall dropping the flow) held every publish for ever,
    # a web request's among them: each attempt now gives up after 5 s (kombu's documented remedy; the worker's
    # BRPOP waits 1 s on the server and is read when ready, so its waits are not cut).
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_timeout": 5, "socket_connect_timeout": 5}
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "core.redis_broker:Transport"  # kombu's, one client per channel (core/redis_broker.py)
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = timedelta(days=7)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_DEFAULT_QUEUE", "default")
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# DNS work runs on its own queue: add workers with `-Q dns` on more machines to sweep faster.
BLOCKLIST_QUEUE = os.environ.get("BLOCKLIST_QUEUE", "dns")
CELERY_TASK_ROUTES = {
    "deliverability.tasks.run_sweep": {"queue": BLOCKLIST_QUEUE},
    "deliverability.tasks.check_chunk": {"queue": BLOCKLIST_QUEUE},
    "deliverability.tasks.run_auth_check": {"queue": BLOCKLIST_QUEUE},
    "availability.tasks.probe_account": {"queue": BLOCKLIST_QUEUE},
}

# Panels each app contributes to the customer dashboard and the staff console, in order.
# Each entry is a callable (request, account) -> core.panels.Panel | None.
DASHBOARD_PANELS = [
    "accounts.panels.tam_card",
    "accounts.panels.severity1_line",
    "cases.panels.open_cases",
    "deliverability.panels.blocklists",
    "deliverability.panels.authentication",
    "deliverability.reputation.snds_panels.microsoft_reputation",  # issue 19: "Microsoft: N of M IPs green"
    "deliverability.reputation.postmaster_panels.spam_rate",  # issue 19: Gmail's spam rate (Postmaster Tools)
    "planning.panels.warmup",
    "availability.panels.availability",
    "accounts.panels.team",
]
# Where "Recommended for you" looks: callables account -> {topic: why}; articles carry the topics.
RECOMMENDATION_SOURCES = [
    "deliverability.library.content.authentication_topics",
    "deliverability.library.content.listing_topics",
    "planning.recommendations.warmup_topics",
    "deliverability.library.content.profile_topics",  # the sender profile the TAM records (issue 16, TAM-6)
]
# Mediation's "warm-up plan followed" precondition comes from planning (callable account -> ok/detail/open).
MEDIATION_WARMUP_SOURCE = "planning.recommendations.warmup_precondition"
CONSOLE_PANELS: list[str] = [
    "cases.panels.escalations",
    "availability.panels.incidents",
    "deliverability.panels.listings",
    "deliverability.panels.dmarc_reports",  # issue 19: report files across the accounts, refused first
    "deliverability.reputation.snds_panels.snds_trouble",  # issue 19: accounts with RED or trap hits today
    "deliverability.reputation.postmaster_panels.reputation_drops",  # issue 19: "dropped for N accounts today"
    "cases.panels.on_duty",
    "planning.panels.planning",  # MISSION: TAM-3, TAM-5 — holds, milestones due, new requests
]

# The email channel (MISSION NC-1, CR-1): our Message-ID domain, the critical address, limits.
CASE_MAIL_DOMAIN = os.environ.get("CASE_MAIL_DOMAIN", DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> "))
CASE_CRITICAL_ADDRESSES = env_list("CASE_CRITICAL_ADDRESSES", "critical@portal.test")
# DMARC aggregate reports (issue 19): each account's report address is dmarc+<token>@INBOUND_DOMAIN, a domain
# whose mail reaches the inbound pipeline. Its DNS must publish "*._report._dmarc.INBOUND_DOMAIN TXT v=DMARC1"
# (RFC 7489 7.1), or one such record per customer From domain: see README, "DMARC reports".
INBOUND_DOMAIN = os.environ.get("INBOUND_DOMAIN", CASE_MAIL_DOMAIN)
# Source IPs that are ours whatever the account monitors (our shared sending ranges), as CIDR.
DMARC_OUR_RANGES = env_list("DMARC_OUR_RANGES", "")
# Reverse DNS of report source IPs (a task after each report, through the authentication resolver).
DMARC_REVERSE_DNS = env_bool("DMARC_REVERSE_DNS", True)
DMARC_REVERSE_TTL_DAYS = 7
# Report files one account may upload per hour in the portal (core/ratelimit.py); mailed reports are not counted.
DMARC_UPLOADS_PER_HOUR = int(os.environ.get("DMARC_UPLOADS_PER_HOUR", "30"))
POSTMASTER_IMPORTS_PER_HOUR = int(os.environ.get("POSTMASTER_IMPORTS_PER_HOUR", "6"))  # "Import now", per account
INBOUND_MAX_BYTES = int(os.environ.get("INBOUND_MAX_BYTES", str(25 * 1024 * 1024)))
# A reply to a case resolved less than this many days ago reopens it; later, it opens a linked new case.
CASE_REOPEN_DAYS = int(os.environ.get("CASE_REOPEN_DAYS", "14"))
# How often an open case page re-reads its read-only panel (status, clocks, timeline), in seconds.
CASE_POLL_SECONDS = 30
# The authserv-id of our receiving MTA's Authentication-Results header; when set, inbound mail is believed
# only when DMARC (or DKIM) passed for the From domain. Empty: the MTA is trusted to have rejected forgeries.
INBOUND_AUTHSERV_ID = os.environ.get("INBOUND_AUTHSERV_ID", "")

# django-anymail: inbound webhooks (SparkPost's relay webhooks; other providers anymail supports when listed
# in ANYMAIL_WEBHOOK_PROVIDERS, with their keys in ANYMAIL) are authenticated with HTTP basic auth,
# "user:password", as anymail documents. Outgoing mail goes through
# anymail's SparkPost backend when EMAIL_BACKEND says so and SPARKPOST_API_KEY is set.
ANYMAIL = {
    "WEBHOOK_SECRET": os.environ.get("ANYMAIL_WEBHOOK_SECRET", "portal-inbound:change-me-in-production"),
    "SPARKPOST_API_KEY": os.environ.get("SPARKPOST_API_KEY", ""),
}
ANYMAIL_WEBHOOK_PROVIDERS = os.environ.get("ANYMAIL_WEBHOOK_PROVIDERS", "sparkpost").replace(" ", "").split(",")

# Case attachments: per file, per message.
CASE_ATTACHMENT_MAX_BYTES = int(os.environ.get("CASE_ATTACHMENT_MAX_BYTES", str(20 * 1024 * 1024)))
CASE_ATTACHMENT_MAX_FILES = 10
# Request bodies read into memory: a form is small, but an inbound-email webhook carries a whole message
# (base64: 4/3 of its size) up to INBOUND_MAX_BYTES.
DATA_UPLOAD_MAX_MEMORY_SIZE = INBOUND_MAX_BYTES * 4 // 3 + 1024 * 1024

# Two unavailable seconds at most this far apart, with no attempt at all between them, are one incident
# (a client backing off between retries); MISSION: CR-0, availability/ledger.py.
INCIDENT_MERGE_SECONDS = int(os.environ.get("INCIDENT_MERGE_SECONDS", "60"))

PORTAL_NAME = os.environ.get("PORTAL_NAME", "Email Enterprise")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")
SEVERITY1_DEFAULT_PHONE = os.environ.get("SEVERITY1_PHONE", "+48 22 100 0101")
# MISSION: CR-1 — TAMs and agents are told this many hours before a gap in the Severity 1 rota begins.
ROTA_GAP_WARN_HOURS = int(os.environ.get("ROTA_GAP_WARN_HOURS", "12"))
# MISSION: TAM-5 — the TAMs are reminded of a business review this many days before it falls due.
REVIEW_REMIND_DAYS = int(os.environ.get("REVIEW_REMIND_DAYS", "14"))

from .authentication import *  # noqa: E402, F403 - the sender-authentication checks
from .operations import *  # noqa: E402, F403 - logs, metrics, health limits, retention
from .outbound import *  # noqa: E402, F403 - which hosts the portal may connect to
from .reputation import *  # noqa: E402, F403 - Google Postmaster Tools and Microsoft SNDS (issue 19)
from .schedule import *  # noqa: E402, F403 - what Celery beat runs when
