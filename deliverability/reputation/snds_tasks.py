"""Celery tasks of the Microsoft SNDS import (issue 19): thin, take ids. ``import_all`` (beat, daily) starts
one task per connected account, so one account's failure never stops another's. ``import_account`` is
retried with back-off on a temporary failure (5xx, 429, timeout): 5, 10, 20, 40, 80 minutes, then it waits
for the next day; a rejected key is not retried (the admin must enter a new one)."""

import logging

from celery import shared_task

from ..models import SndsConnection
from . import snds_client, snds_services

log = logging.getLogger(__name__)
RETRIES = 5
FIRST_WAIT = 5 * 60  # seconds


def backoff(retries: int) -> int:
    return FIRST_WAIT * 2**retries


@shared_task(name="deliverability.snds.import_all", time_limit=5 * 60, soft_time_limit=4 * 60)
def import_all() -> int:
    ids = SndsConnection.objects.exclude(state=SndsConnection.State.KEY_REJECTED).values_list("account_id", flat=True)
    started = 0
    for account_id in ids:
        try:
            import_account.delay(account_id)
            started += 1
        except Exception:  # noqa: BLE001 - one account not enqueued never stops the others
            log.exception("SNDS import of account %s could not be started", account_id)
    return started


@shared_task(
    bind=True, name="deliverability.snds.import_account", max_retries=RETRIES, time_limit=5 * 60, soft_time_limit=4 * 60
)
def import_account(self, account_id: int) -> str:
    try:
        snds_services.snds_import(account_id=account_id)
    except SndsConnection.DoesNotExist:
        return "disconnected"
    except snds_client.KeyRejected:
        return "rejected"
    except snds_client.Temporary as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from None
    except snds_client.FetchError:
        return "failed"
    return "ok"
