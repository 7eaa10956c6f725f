"""Production: secrets from the environment, HTTPS only. Passes ``manage.py check --deploy`` cleanly."""

import logging
import os

from django.core.exceptions import ImproperlyConfigured

from core.logs import logging_config

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = False
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("Set SECRET_KEY to a random string of at least 50 characters.")

# The inbound webhooks' basic auth: user:password, the password long enough not to be guessed, never the
# development value (MISSION NC-1: a guessed secret lets anyone write into customers' cases).
WEBHOOK_PASSWORD_MIN = 16
_webhook_user, _, _webhook_password = os.environ.get("ANYMAIL_WEBHOOK_SECRET", "").partition(":")
if not _webhook_user or ":" in _webhook_password or len(_webhook_password) < WEBHOOK_PASSWORD_MIN:
    raise ImproperlyConfigured(
        f"Set ANYMAIL_WEBHOOK_SECRET to user:password for the inbound email webhooks, the password at least "
        f"{WEBHOOK_PASSWORD_MIN} random characters."
    )
if _webhook_password == "change-me-in-production":  # base.py's development default
    raise ImproperlyConfigured("ANYMAIL_WEBHOOK_SECRET is the development value: set your own.")

# Mail must leave: a console, memory or dummy backend would mark every notification "sent" and deliver none.
MAIL_NOWHERE = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
if EMAIL_BACKEND in MAIL_NOWHERE:  # noqa: F405
    raise ImproperlyConfigured(
        "Set EMAIL_BACKEND (anymail.backends.sparkpost.EmailBackend with SPARKPOST_API_KEY) or EMAIL_HOST: "
        f"{EMAIL_BACKEND} delivers no mail."  # noqa: F405
    )

# Inbound mail is believed only when our MTA says the sender's domain authenticated it (DMARC/DKIM pass in the
# Authentication-Results of INBOUND_AUTHSERV_ID). Without it a forged From: writes into another customer's case;
# running so anyway takes an explicit opt-out, logged at every start.
if not INBOUND_AUTHSERV_ID:  # noqa: F405
    if not env_bool("INBOUND_UNVERIFIED_SENDERS", False):
        raise ImproperlyConfigured(
            "Set INBOUND_AUTHSERV_ID to the authserv-id of your receiving MTA's Authentication-Results header "
            "(or INBOUND_UNVERIFIED_SENDERS=true to accept unauthenticated senders, which lets a forged From: "
            "write into a customer's case)."
        )
    logging.getLogger("portal.security").warning(
        "INBOUND_UNVERIFIED_SENDERS=true: inbound mail is believed without sender authentication."
    )

# Sessions read from the shared cache and written through to the database: one query less on every page
# (issue 18). Only with Redis: with a cache per process, a session ended in one web worker would live on in
# the others until it expired from their memory.
if REDIS_URL:  # noqa: F405
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^livez$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

# Logs as JSON lines for the log collector unless LOG_FORMAT says otherwise.
LOGGING = logging_config(json=os.environ.get("LOG_FORMAT", "json") == "json", level=LOG_LEVEL)  # noqa: F405

# Errors (web requests, Celery tasks, error-level log lines) reach Sentry when SENTRY_DSN is set. No personal
# data is sent: no cookies, no user email, no request bodies, no local variables (a frame's locals hold case text,
# email bodies and tokens, which Sentry's scrubber, going by names like "password", would let through).
if os.environ.get("SENTRY_DSN"):
    import sentry_sdk

    sentry_sdk.init(
        dsn=os.environ["SENTRY_DSN"],
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production"),
        release=os.environ.get("SENTRY_RELEASE") or None,
        send_default_pii=False,
        max_request_body_size="never",
        include_local_variables=False,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
    )
    # django-structlog logs every 5xx answer and failed task at error level: a 503 of /healthz is no error, and a
    # crash is already Sentry's own event (Django's and Celery's integrations, with the traceback).
    from sentry_sdk.integrations.logging import ignore_logger

    ignore_logger("django_structlog.*")
