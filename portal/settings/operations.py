"""What operators set: retention, /metrics and /healthz limits, logs (issue 18). Part of base.py."""

import os

from core.logs import logging_config

from .env import env_days, env_list

# Retention in days (0 keeps forever): raw bytes of processed inbound email, the audit trail, blocklist sweep
# runs (listing history stays), sent emails, availability seconds and ingested batches (13 months of AV-1). A value
# that is not a whole number, or below a floor, stops the start (env_days).
RETAIN_INBOUND_RAW_DAYS = env_days("RETAIN_INBOUND_RAW_DAYS", 90)
RETAIN_AUDIT_DAYS = env_days("RETAIN_AUDIT_DAYS", 730)
RETAIN_SWEEP_DAYS = env_days("RETAIN_SWEEP_DAYS", 90)
RETAIN_SENT_EMAIL_DAYS = env_days("RETAIN_SENT_EMAIL_DAYS", 90)
# The availability page shows this month and the 6 before (7 x 31 days): less would show emptied months as 100%.
RETAIN_AVAILABILITY_DAYS = env_days("RETAIN_AVAILABILITY_DAYS", 400, minimum=7 * 31)
RETAIN_FORM_SUBMISSION_DAYS = env_days("RETAIN_FORM_SUBMISSION_DAYS", 7)  # one-time form tokens
# An account's data export zip (issue 18): downloadable this long, never kept forever.
RETAIN_EXPORT_DAYS = env_days("RETAIN_EXPORT_DAYS", 7, forever=False)

# The REST API (issue 20): calls a minute per token before 429 with Retry-After.
API_RATE_LIMIT = int(os.environ.get("API_RATE_LIMIT", "600"))
NINJA_PAGINATION_PER_PAGE = 50  # a list's page when no limit is asked
NINJA_PAGINATION_MAX_LIMIT = 100  # the most a page holds (more is a 422)

# /metrics (Prometheus): off unless a bearer token or client networks are set. /healthz answers 503 when the
# oldest unsent email, the oldest unprocessed inbound email or beat's heartbeat is older than these seconds.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_NETWORKS = env_list("METRICS_ALLOWED_NETWORKS")
HEALTH_OUTBOX_MAX_SECONDS = int(os.environ.get("HEALTH_OUTBOX_MAX_SECONDS", str(15 * 60)))
HEALTH_INBOUND_MAX_SECONDS = int(os.environ.get("HEALTH_INBOUND_MAX_SECONDS", str(10 * 60)))
HEALTH_HEARTBEAT_MAX_SECONDS = int(os.environ.get("HEALTH_HEARTBEAT_MAX_SECONDS", str(5 * 60)))

# Logs: one JSON object per line (LOG_FORMAT=json, production's default) or readable lines (make run), with the
# request id, user id, account, client address, task id and durations bound by django-structlog (core/logs.py).
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
LOGGING = logging_config(json=os.environ.get("LOG_FORMAT", "console") == "json", level=LOG_LEVEL)
DJANGO_STRUCTLOG_CELERY_ENABLED = True
# The client address is bound by core/logs.py as every limit reads it (core/network.py); django-ipware's guess,
# which a client can steer with X-Forwarded-For, was computed on every request only to be replaced.
DJANGO_STRUCTLOG_IP_LOGGING_ENABLED = False
DEMO_SEEDERS = ["cases.demo.seed", "deliverability.demo.seed", "planning.demo.seed", "availability.demo.seed"]

# Migrations while the previous release serves (issue 18; the PostgreSQL engine is set in base.py).
ZERO_DOWNTIME_MIGRATIONS_LOCK_TIMEOUT = os.environ.get("MIGRATION_LOCK_TIMEOUT", "2s")
ZERO_DOWNTIME_MIGRATIONS_STATEMENT_TIMEOUT = os.environ.get("MIGRATION_STATEMENT_TIMEOUT", "2s")
ZERO_DOWNTIME_MIGRATIONS_FLEXIBLE_STATEMENT_TIMEOUT = True  # index builds and validations may take longer
# A fresh install runs the released migrations; new ones are held to the rule by tests/portal/test_migrations_safe.py.
ZERO_DOWNTIME_MIGRATIONS_RAISE_FOR_UNSAFE = False
ZERO_DOWNTIME_MIGRATIONS_IDEMPOTENT_SQL = True  # a migration stopped half-way can be run again
