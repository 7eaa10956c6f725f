"""Celery tasks of the Postmaster Tools import (issue 19): thin, take ids. The beat runs ``postmaster_import_all``
daily (settings.CELERY_BEAT_SCHEDULE); each account is its own task, so one account's failure or a slow Google
for one account never stops the others. A rerun the same day asks Google again and writes the same rows."""

import logging

from celery import shared_task

from ..models import PostmasterConnection
from . import postmaster_import as importer

log = logging.getLogger(__name__)


@shared_task(name="deliverability.tasks.postmaster_import_all", time_limit=60, soft_time_limit=50)
def postmaster_import_all() -> int:
    ids = list(
        PostmasterConnection.objects.filter(status=PostmasterConnection.Status.CONNECTED)
        .exclude(account__status="closed")
        .values_list("account_id", flat=True)
    )
    for account_id in ids:
        try:
            postmaster_import.delay(account_id)
        except Exception:  # noqa: BLE001 - the broker hiccuped for one: the others still go
            log.warning("could not enqueue the Postmaster import of account %s", account_id, exc_info=True)
    return len(ids)


@shared_task(name="deliverability.tasks.postmaster_import", time_limit=10 * 60, soft_time_limit=9 * 60)
def postmaster_import(account_id: int) -> dict:
    return importer.import_account(account_id)


@shared_task(name="deliverability.tasks.postmaster_import_now", time_limit=10 * 60, soft_time_limit=9 * 60)
def postmaster_import_now(account_id: int) -> dict | None:
    """The page's "Import now" (``postmaster_import_request``): a duplicate delivery does nothing."""
    return importer.import_requested(account_id)
