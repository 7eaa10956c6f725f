import logging.config
import os

from celery import Celery
from celery.signals import setup_logging
from django_structlog.celery.steps import DjangoStructLogInitStep

import core.metrics  # noqa: F401 - times every task (Celery signals)
import core.worker_metrics  # noqa: F401 - WORKER_METRICS_PORT: the worker's own /metrics

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.steps["worker"].add(DjangoStructLogInitStep)  # task ids in every log line of a task


@setup_logging.connect
def _django_logging(**_):
    """Workers log through the LOGGING setting (structured, with task ids) instead of Celery's own format."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
