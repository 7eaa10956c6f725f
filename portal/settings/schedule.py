"""What Celery beat runs and when (each entry says when). Part of base.py."""

import os

from celery.schedules import crontab

from .reputation import SNDS_IMPORT_HOUR

BLOCKLIST_SWEEP_MINUTES = int(os.environ.get("BLOCKLIST_SWEEP_MINUTES", "60"))
CELERY_BEAT_SCHEDULE = {
    # Daily at 03:30 UTC: retention (portal/housekeeping.py; RETAIN_* in operations.py).
    "housekeeping": {"task": "portal.tasks.housekeeping", "schedule": crontab(hour=3, minute=30)},
    # Every minute: a worker records that beat and a worker are alive; /healthz reports its age.
    "portal-heartbeat": {"task": "portal.tasks.heartbeat", "schedule": 60.0},
    # Every minute: webhook and Slack/Teams deliveries whose retry is due (integrations/delivery.py).
    "drain-webhooks": {"task": "integrations.tasks.drain_webhooks", "schedule": 60.0},
    # Every minute: send what the durable outbox holds (new rows also trigger a run on commit).
    "drain-outbox": {"task": "accounts.tasks.drain_outbox", "schedule": 60.0},
    # Every minute: expand pending case notifications into outbox emails (new ones also trigger a run).
    "expand-notifications": {"task": "cases.tasks.expand_notifications", "schedule": 60.0},
    # Every minute: SLA clocks about to breach or breached -> warn the agent, escalate to the TAM.
    "sla-sweep": {"task": "cases.tasks.sla_sweep", "schedule": 60.0},
    # Every minute: inbound email stored but still not processed 5 minutes later (the ingest died) is
    # processed again; a message that keeps failing is marked for "Needs attention".
    "retry-inbound": {"task": "cases.tasks.retry_inbound", "schedule": 60.0},
    # Every minute: critical cases of an agent now off shift go to an agent on duty (the shift change).
    "oncall-handover": {"task": "cases.tasks.oncall_handover", "schedule": 60.0},
    # Every 15 minutes: a gap in the Severity 1 rota starting within ROTA_GAP_WARN_HOURS is told to the TAMs
    # and agents, once per gap.
    "rota-gaps": {"task": "cases.tasks.rota_gap_warnings", "schedule": 900.0},
    # Every BLOCKLIST_SWEEP_MINUTES (default hourly): start a blocklist sweep for every account with targets.
    "blocklist-sweep": {"task": "deliverability.tasks.sweep_all", "schedule": BLOCKLIST_SWEEP_MINUTES * 60.0},
    # Every 10 minutes: newly published library articles are told, once, to the customers they concern.
    "announce-articles": {"task": "deliverability.tasks.announce_articles", "schedule": 600.0},
    # Every hour: sender-authentication checks for the accounts not checked in AUTH_CHECK_HOURS (daily).
    "auth-checks": {"task": "deliverability.tasks.auth_check_all", "schedule": 3600.0},
    # Every 15 seconds: availability probes (each account at its own interval, default a minute).
    "availability-probes": {"task": "availability.tasks.probe_all", "schedule": 15.0},
    # Every 30 seconds: sustained unavailability alerted once per incident, with a critical case offered.
    "availability-watch": {"task": "availability.tasks.watch", "schedule": 30.0},
    # Daily at 06:00 UTC: business reviews due within REVIEW_REMIND_DAYS (or overdue) emailed to the account's
    # TAMs, once per review due (planning/services/reviews.py).
    "review-reminders": {"task": "planning.tasks.review_reminders", "schedule": crontab(hour=6, minute=0)},
    # Daily at SNDS_IMPORT_HOUR:15 UTC (12:15 by default): Microsoft SNDS data of every connected account.
    "snds-import": {"task": "deliverability.snds.import_all", "schedule": crontab(hour=SNDS_IMPORT_HOUR, minute=15)},
    # Daily at 16:00 UTC: Postmaster Tools days for every connected account (Gmail's day ends 07:00/08:00 UTC).
    "postmaster-import": {"task": "deliverability.tasks.postmaster_import_all", "schedule": crontab(hour=16, minute=0)},
}
