"""The daily import of Google Postmaster Tools data (issue 19): for each domain the connection may read,
the days since the last import (the first time, the last ``POSTMASTER_FIRST_DAYS``), written per
(account, domain, day): a day imported again is updated, never duplicated. Google may complete a day
late, so the last ``OVERLAP`` days are asked again each run.

Failures are kept where the page shows them, with their reason, and stop nothing else: a 401 refreshes the
access token and asks again once; Google refusing the refresh token puts the connection in "reconnect";
a 429 or 5xx (or no answer) leaves the domain's days to the next run (``imported_through`` does not move,
so no day is lost); one domain's failure does not stop the other domains, nor one account's the others.

A domain reputation lower than the latest earlier day's is a drop: recorded once on the day (``dropped_at``)
and sent once to the account's alert destinations (``reputation.dropped``). Only drops among the last
``OVERLAP`` + 1 days count: a first import of 90 days of history is not news. MISSION: DLV-1, DLV-2."""

import logging
from datetime import UTC, date, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.notify import absolute_url
from core.panel_cache import changed
from core.text import _
from integrations.events import emit

from ..models import PostmasterConnection, PostmasterDay, PostmasterDomain
from ..models.postmaster import reputation_rank
from . import postmaster_api as api
from . import postmaster_oauth as oauth
from .postmaster_services import access_token
from .postmaster_signals import PROVIDER
from .signals import send_changed

log = logging.getLogger(__name__)
OVERLAP = 2  # days asked again each run: Google fills a day in late


def _reason(error: Exception):
    """Why an import failed, as a message translated when shown."""
    if isinstance(error, oauth.OAuthError):
        if error.revoked:
            return _("Google refused the saved permission (revoked or expired): connect Postmaster Tools again.")
        return _("Google's sign-in service did not answer (%(detail)s); the import is tried again tomorrow.") % {
            "detail": error.error
        }
    if isinstance(error, api.ApiError):
        if error.status == 429:
            return _("Google asked us to slow down (HTTP 429); the missing days are imported on the next run.")
        if error.later:
            return _(
                "Postmaster Tools did not answer (HTTP %(status)s); the missing days are imported on the next run."
            ) % {"status": error.status or "—"}
        if error.status == 403:
            return _("Google refused access to this domain (HTTP 403): is it still verified in Postmaster Tools?")
        return _("Postmaster Tools answered HTTP %(status)s.") % {"status": error.status}
    return _("The import failed: %(detail)s") % {"detail": type(error).__name__}


class _Caller:
    """Calls the API with the connection's token; a 401 refreshes it and asks once more."""

    def __init__(self, connection: PostmasterConnection):
        self.connection, self.token = connection, access_token(connection=connection)

    def __call__(self, fn, *args):
        try:
            return fn(self.token, *args)
        except api.ApiError as error:
            if not error.expired:
                raise
        self.token = access_token(connection=self.connection, force=True)
        return fn(self.token, *args)


def last_day(now) -> date:
    """The newest day worth asking for: yesterday (Google's days end at Pacific midnight, after ours)."""
    return now.astimezone(UTC).date() - timedelta(days=1)


def import_account(account_id: int) -> dict:
    """One account's import. Returns {"domains": n, "failed": n, "days": n}; never raises for Google's
    answers (they are kept on the connection and its domains)."""
    connection = PostmasterConnection.objects.select_related("account").filter(account_id=account_id).first()
    if connection is None or connection.status != PostmasterConnection.Status.CONNECTED:
        return {"domains": 0, "failed": 0, "days": 0}
    now = timezone.now()
    result = {"domains": 0, "failed": 0, "days": 0}
    try:
        call = _Caller(connection)
        names = call(api.domains)
    except (oauth.OAuthError, api.ApiError) as error:
        _connection_failed(connection, error, now)
        return result
    for name in names:
        domain, _new = PostmasterDomain.objects.get_or_create(account=connection.account, name=name)
        result["domains"] += 1
        try:
            result["days"] += import_domain(call, domain, now)
        except (oauth.OAuthError, api.ApiError) as error:
            result["failed"] += 1
            _domain_failed(domain, error, now)
            if isinstance(error, oauth.OAuthError):
                break  # no token: the other domains cannot be asked either
    PostmasterConnection.objects.filter(pk=connection.pk).update(
        last_run_at=now, **({} if result["failed"] or connection.status != "connected" else {"error": ""})
    )
    changed(connection.account_id)
    if result["days"]:  # the warm-up plans' Gmail provider may hold or be released (planning listens)
        send_changed(account_id=account_id, provider=PROVIDER)
    return result


def import_requested(account_id: int) -> dict | None:
    """Run an import asked for on the page: claim it (queued -> running: a duplicate task finds nothing to
    claim and returns None), import, keep the result on the connection for the page (done)."""
    states = PostmasterConnection.ImportState
    mine = PostmasterConnection.objects.filter(account_id=account_id)
    if not mine.filter(import_state=states.QUEUED).update(import_state=states.RUNNING):
        return None
    changed(account_id)
    result = None
    try:
        result = import_account(account_id)
    finally:  # an unexpected error still ends "running" (no result: the page says it failed)
        mine.update(import_state=states.DONE, import_finished_at=timezone.now(), import_result=result)
        changed(account_id)
    return result


def import_domain(call, domain: PostmasterDomain, now) -> int:
    """Ask for the domain's missing days and write them; the days written (present in Google's answer)."""
    last = last_day(now)
    start = domain.imported_through - timedelta(days=OVERLAP - 1) if domain.imported_through else None
    first = start or last - timedelta(days=settings.POSTMASTER_FIRST_DAYS - 1)
    if first > last:
        return 0
    stats = call(api.traffic_stats, domain.name, first, last)
    with transaction.atomic():
        written = _write_days(domain, stats, now, recent=last - timedelta(days=OVERLAP))
        domain.imported_through, domain.last_import_at, domain.error, domain.error_at = last, now, "", None
        domain.save(update_fields=["imported_through", "last_import_at", "error", "error_at"])
    return written


def _write_days(domain: PostmasterDomain, stats: list[dict], now, *, recent: date) -> int:
    by_day = {}
    for item in stats:
        day = api.day_of(item)
        if day is not None:
            by_day[day] = api.fields_of(item)
    if not by_day:
        return 0
    account = domain.account
    existing = {
        row.day: row for row in PostmasterDay.objects.filter(account=account, domain=domain.name, day__in=by_day)
    }
    before = (
        PostmasterDay.objects.filter(account=account, domain=domain.name, day__lt=min(by_day))
        .exclude(domain_reputation="")
        .order_by("-day")
        .values_list("domain_reputation", flat=True)
        .first()
    )
    for day in sorted(by_day):
        fields = by_day[day]
        row = existing.get(day) or PostmasterDay(account=account, domain=domain.name, day=day)
        for name, value in fields.items():
            setattr(row, name, value)
        row.imported_at = now
        reputation = fields["domain_reputation"]
        if _dropped(before, reputation) and day >= recent and row.dropped_at is None:
            row.dropped_at = now
            _announce(domain, day, before, reputation)
        row.save()
        before = reputation or before
    return len(by_day)


def _dropped(before: str | None, now_value: str) -> bool:
    old, new = reputation_rank(before or ""), reputation_rank(now_value)
    return old is not None and new is not None and new > old


def _announce(domain: PostmasterDomain, day: date, before: str, after: str) -> None:
    url = absolute_url(reverse("reputation", kwargs={"slug": domain.account.slug}))
    data = {"domain": domain.name, "day": day.isoformat(), "from": before, "to": after, "provider": "Gmail", "url": url}
    emit(account=domain.account, type="reputation.dropped", data=data)


def _connection_failed(connection: PostmasterConnection, error: Exception, now) -> None:
    log.warning("postmaster import of account %s failed: %r", connection.account_id, error)
    PostmasterConnection.objects.filter(pk=connection.pk).update(error=_reason(error), last_run_at=now)
    changed(connection.account_id)


def _domain_failed(domain: PostmasterDomain, error: Exception, now) -> None:
    log.warning("postmaster import of %s (account %s) failed: %r", domain.name, domain.account_id, error)
    PostmasterDomain.objects.filter(pk=domain.pk).update(error=_reason(error), error_at=now)
