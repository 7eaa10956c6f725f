"""Attempts in: CSV (``ts,channel,outcome``) or JSON Lines, streamed, aggregated per second in memory and
upserted into per-second rollups. MISSION: AV-1.

Idempotent by batch: the SHA-256 of a batch's content is claimed first (a unique row per account), in the
same transaction as its rollups, so the same file or API body twice is refused and counts once. Bad lines
are reported with their line numbers; good lines are kept.
"""

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.figures import any_of
from core.panel_cache import changed

from .ledger import CHANNELS, OUTCOMES, SERVER_FAILURES, Window, iso, month_bounds, unavailable
from .models import PANEL_TOPIC, IngestBatch, SecondRollup

FLUSH_AT = 200_000  # distinct (channel, second) keys held in memory before an upsert
ROLLUP_LOCK = 0x41563031  # "AV01": the advisory lock class of an account's rollup writes (the key is the account)
MANY_FRESH = 5000  # seconds newly attempted in one write past which the panel's version moves without asking
MAX_ERRORS_KEPT = 1000


@dataclass
class Outcome:
    accepted: int = 0
    rejected: int = 0
    errors: list = field(default_factory=list)  # (line, message), the first MAX_ERRORS_KEPT
    duplicate: bool = False


def parse(line: str, kind: str) -> tuple[int, int, bool]:
    """One line -> (epoch second, channel, server failure); ValueError in the user's words."""
    if kind == "jsonl":
        try:
            item = json.loads(line)
        except ValueError as exc:
            raise ValueError(_("not a JSON object")) from exc
        if not isinstance(item, dict):
            raise ValueError(_("not a JSON object"))
        ts, channel, outcome = item.get("ts"), item.get("channel"), item.get("outcome")
    else:
        parts = line.split(",")
        if len(parts) != 3:
            raise ValueError(_("expected 3 columns: ts,channel,outcome"))
        ts, channel, outcome = (p.strip() for p in parts)
    if not isinstance(ts, str) or not ts:
        raise ValueError(_("ts is missing"))
    if len(ts) > 19 and ts[16:19] == ":60":  # a leap second: counted in the second before it (epoch has none)
        ts = ts[:17] + "59" + ts[19:]
    try:
        moment = datetime.fromisoformat(ts)
    except ValueError as exc:
        raise ValueError(_("“%(ts)s” is not an ISO 8601 time") % {"ts": ts}) from exc
    if moment.tzinfo is None:
        raise ValueError(_("“%(ts)s” has no offset (add Z or +01:00)") % {"ts": ts})
    code = CHANNELS.get(channel) if isinstance(channel, str) else None
    if code is None:
        raise ValueError(_("channel “%(value)s” is not api or smtp") % {"value": channel})
    if outcome not in OUTCOMES:
        raise ValueError(
            _("outcome “%(value)s” is not success, client_error, server_error or timeout") % {"value": outcome}
        )
    return int(moment.timestamp() // 1), code, outcome in SERVER_FAILURES


def refused(second: int, window: Window | None) -> str | None:
    """Why ``window`` refuses an attempt at ``second``, in the user's words (None: accepted)."""
    reason = window.refusal(second) if window else None
    if reason is None:
        return None
    messages = {
        "future": _("%(ts)s is in the future"),
        "before_account": _("%(ts)s is before the account existed"),
        "closed": _("%(ts)s is in a closed month"),
    }
    return messages[reason] % {"ts": iso(second)}


def digest_of(chunks: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def ingest(
    account, lines: Iterable[str], *, digest: str, source: str = "", kind: str = "csv", token=None, window=None
) -> Outcome:
    """Ingest numbered lines (a header line is skipped for CSV). Refused whole if the batch was seen; with a
    ``window`` (the API's), lines outside it are refused like bad ones. ``token``: the API token that sent it."""
    outcome = Outcome()
    try:
        with transaction.atomic():
            batch = IngestBatch.objects.create(account=account, digest=digest, source=source[:200], token=token)
            pending: dict[tuple[int, int], list[int]] = {}
            for number, line in enumerate(lines, start=1):
                line = line.strip()
                if not line or (
                    kind == "csv" and number == 1 and line.replace(" ", "").lower() == "ts,channel,outcome"
                ):
                    continue
                try:
                    second, channel, failed = parse(line, kind)
                    if reason := refused(second, window):
                        raise ValueError(reason)
                except ValueError as exc:
                    outcome.rejected += 1
                    if len(outcome.errors) < MAX_ERRORS_KEPT:
                        outcome.errors.append((number, str(exc)))
                    continue
                counts = pending.get((channel, second))
                if counts is None:
                    pending[(channel, second)] = [1, int(failed)]
                else:
                    counts[0] += 1
                    counts[1] += failed
                outcome.accepted += 1
                if len(pending) >= FLUSH_AT:
                    upsert(account.pk, pending)
                    pending = {}
            upsert(account.pk, pending)
            IngestBatch.objects.filter(pk=batch.pk).update(accepted=outcome.accepted, rejected=outcome.rejected)
    except IntegrityError:
        if IngestBatch.objects.filter(account=account, digest=digest).exists():
            return Outcome(duplicate=True)
        raise
    return outcome


def upsert(account_id: int, pending: dict) -> None:
    """Add the counts to the rollups: one statement per flush (arrays on PostgreSQL). The availability panel's
    version (``PANEL_TOPIC``) moves when what it shows can have changed (``_shown``)."""
    if not pending:
        return
    keys = list(pending)
    channels = [k[0] for k in keys]
    seconds = [k[1] for k in keys]
    attempts = [pending[k][0] for k in keys]
    failures = [pending[k][1] for k in keys]
    table = "availability_secondrollup"
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"""INSERT INTO {table} (account_id, channel, second, attempts, failures) VALUES (%s, %s, %s, %s, %s)
                ON CONFLICT (account_id, channel, second) DO UPDATE
                SET attempts = attempts + excluded.attempts, failures = failures + excluded.failures""",  # noqa: S608
                [(account_id, c, s, a, f) for c, s, a, f in zip(channels, seconds, attempts, failures, strict=True)],
            )
            # SQLite (the embedded default) writes one transaction at a time: the rows as they are now, read back.
            written = SecondRollup.objects.filter(
                account_id=account_id, second__gte=min(seconds), second__lte=max(seconds)
            ).values_list("channel", "second", "attempts", "failures")
            if _shown(account_id, pending, [row for row in written if (row[0], row[1]) in pending]):
                changed(account_id, PANEL_TOPIC)
            return
        # One writer of an account's rollups at a time, to its commit: each one's check sees what the one before
        # it wrote (two late batches at once, one unavailable second and one answer in the gap before it, would
        # otherwise each miss the other's rows, and the panel keep the incident whole).
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ROLLUP_LOCK, account_id])
        cursor.execute(
            f"""INSERT INTO {table} (account_id, channel, second, attempts, failures)
            SELECT %s, c, s, a, f FROM unnest(%s::smallint[], %s::bigint[], %s::int[], %s::int[]) AS t(c, s, a, f)
            ON CONFLICT (account_id, channel, second) DO UPDATE
            SET attempts = {table}.attempts + EXCLUDED.attempts, failures = {table}.failures + EXCLUDED.failures
            RETURNING channel, second, attempts, failures""",  # noqa: S608 - constant table name
            [account_id, channels, seconds, attempts, failures],
        )
        if _shown(account_id, pending, cursor.fetchall()):
            changed(account_id, PANEL_TOPIC)


def _shown(account_id: int, pending: dict, written: list) -> bool:
    """Whether the rows just written (channel, second, attempts, failures as they are now) can change what the
    availability panel shows: its months and incidents read the unavailable seconds, the channels attempted in
    each month and the attempts in quiet gaps between unavailable seconds (``ledger``). So: a second of a channel
    that became (or stopped being) unavailable; or a second newly attempted that is its channel's first in its
    month, or that comes at most the merge distance before an unavailable second (it may split an incident).
    A steady feed of good seconds arriving in order changes none of them: one small query per write (and the
    lock ``upsert`` takes)."""
    fresh: dict[tuple[int, int], list[int]] = {}  # (channel, its month's bounds) -> seconds newly attempted
    for channel, second, now_attempts, now_failures in written:
        added_attempts, added_failures = pending[(channel, second)]
        before = (now_attempts - added_attempts, now_failures - added_failures)
        if unavailable(*before) != unavailable(now_attempts, now_failures):
            return True
        if before[0] == 0:
            moment = datetime.fromtimestamp(second, UTC)
            fresh.setdefault((channel, month_bounds(moment.year, moment.month)), []).append(second)
    if not fresh:
        return False
    if sum(len(found) for found in fresh.values()) > MANY_FRESH:
        return True  # a bulk load: its month's figures have all but surely moved
    merge = max(1, settings.INCIDENT_MERGE_SECONDS)
    rows = SecondRollup.objects.filter(account_id=account_id)
    first, last = min(min(found) for found in fresh.values()), max(max(found) for found in fresh.values())
    down_after = rows.filter(second__gt=first, second__lte=last + merge).unavailable()
    alone = [
        rows.filter(channel=channel).between(*month).exclude(second__in=found)
        for (channel, month), found in fresh.items()
    ]
    return any_of(("EXISTS", down_after.values("pk")), *(("NOT EXISTS", other.values("pk")) for other in alone))
