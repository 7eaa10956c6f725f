"""Running a sweep: health checks, chunks on the ``dns`` queue, recording transitions, alerting.

MISSION: DLV-2. Safe under redelivery and overlap:
- a sweep and each chunk are claimed with a conditional UPDATE, so a second delivery does nothing
  (a chunk whose worker died is claimed again after ``CHUNK_STALE``);
- results are written under row locks and never over a newer answer (``checked_at``);
- the sweep is finished by the one chunk whose conditional UPDATE moves it from running to done;
- events come only from listed/clear answers of zones that passed their health check that run.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from core.panel_cache import changed
from core.text import _, from_json, to_json
from deliverability.blocklists.checker import Finding, check, check_health, describe, engine_settings
from deliverability.blocklists.dnsbl import Kind, Target, ZoneSpec, valid_zone
from deliverability.blocklists.probes import Health
from deliverability.engine import Engine
from deliverability.models import Blocklist, ListingEvent, ListingStatus, MonitoredTarget, Sweep, SweepChunk

log = logging.getLogger(__name__)
CHUNK_STALE = timedelta(minutes=10)  # above the chunk task's time limit
PROGRESS_EVERY = 0.5  # seconds between progress writes


def sweep_run(sweep_id: int) -> None:
    """Claim the sweep, check every list's health once, and fan the targets out in chunks."""
    now = timezone.now()
    if not Sweep.objects.filter(pk=sweep_id, status=Sweep.State.QUEUED).update(
        status=Sweep.State.RUNNING, started_at=now
    ):
        return  # already claimed: a redelivery or a duplicate
    sweep = Sweep.objects.select_related("account").get(pk=sweep_id)
    usable, unusable = usable_lists(Blocklist.objects.active())
    specs = [spec for _bl, spec in usable.values()]
    cfg = engine_settings()
    try:
        health = check_health(Engine(cfg), specs)  # keyed by the spec's (normalised) zone
    except (OSError, ValueError) as exc:
        Sweep.objects.filter(pk=sweep_id).update(
            status=Sweep.State.FAILED, finished_at=timezone.now(), failure=str(exc)[:500], resolver=describe(cfg)
        )
        return
    health.update({zone: Health(False, problem) for zone, problem in unusable.items()})
    rows = list(MonitoredTarget.objects.filter(account=sweep.account).order_by("pk").values_list("pk", "kind"))
    healthy = [spec for spec in specs if health[spec.zone].ok]
    queries = sum(1 for _pk, kind in rows for spec in healthy if spec.accepts_kind(kind))
    size = settings.BLOCKLIST_CHUNK
    ids = [pk for pk, _kind in rows]
    chunks = [ids[i : i + size] for i in range(0, len(ids), size)]
    with transaction.atomic():
        created = SweepChunk.objects.bulk_create(
            [SweepChunk(sweep=sweep, number=n, target_ids=part) for n, part in enumerate(chunks)]
        )
        Sweep.objects.filter(pk=sweep_id).update(
            zone_health={zone: ("" if h.ok else to_json(h.problem)) for zone, h in health.items()},
            resolver=describe(cfg),
            chunks_total=len(chunks),
            queries_total=queries,
        )
    if not chunks:
        _finish(sweep_id)
        return
    from deliverability.tasks import check_chunk

    for chunk in created:
        check_chunk.delay(chunk.pk)


def chunk_run(chunk_id: int) -> None:
    """Check one chunk of targets and record what changed; the last chunk finishes the sweep."""
    now = timezone.now()
    claimed = (
        SweepChunk.objects.filter(pk=chunk_id)
        .filter(
            Q(status=SweepChunk.State.PENDING) | Q(status=SweepChunk.State.RUNNING, claimed_at__lt=now - CHUNK_STALE)
        )
        .update(status=SweepChunk.State.RUNNING, claimed_at=now)
    )
    if not claimed:
        return
    chunk = SweepChunk.objects.select_related("sweep").get(pk=chunk_id)
    sweep = chunk.sweep
    targets = {t.value: t for t in MonitoredTarget.objects.filter(pk__in=chunk.target_ids, account_id=sweep.account_id)}
    usable, _unusable = usable_lists(Blocklist.objects.filter(enabled=True))
    usable = {zone: pair for zone, pair in usable.items() if zone in sweep.zone_health}
    lists = {zone: bl for zone, (bl, _spec) in usable.items()}
    zone_health = {zone: Health(not problem, from_json(problem)) for zone, problem in sweep.zone_health.items()}
    progress = _Progress(sweep.pk)
    findings = list(
        check(
            Engine(engine_settings()),
            [Target(Kind(t.kind), t.value) for t in targets.values()],
            [spec for _bl, spec in usable.values()],
            zone_health=zone_health,
            on_progress=progress,
        )
    )
    record(sweep=sweep, targets=targets, lists=lists, findings=findings, checked_at=timezone.now())
    progress.flush(final=True)
    with transaction.atomic():
        if SweepChunk.objects.filter(pk=chunk_id, status=SweepChunk.State.RUNNING).update(
            status=SweepChunk.State.DONE, finished_at=timezone.now()
        ):
            Sweep.objects.filter(pk=sweep.pk).update(chunks_done=F("chunks_done") + 1)
    if Sweep.objects.filter(pk=sweep.pk, chunks_done__gte=F("chunks_total")).exists():
        _finish(sweep.pk)


def usable_lists(lists) -> tuple[dict[str, tuple[Blocklist, ZoneSpec]], dict[str, object]]:
    """zone -> (list, spec) for the lists a query can be built for, and zone -> problem for the others (a
    zone like ``bad..zone``, codes edited into nonsense): those are skipped and reported in the sweep's zone
    health, never stopping the sweep (MISSION: DLV-2)."""
    usable, unusable = {}, {}
    for bl in lists:
        try:
            spec = bl.spec()
            if not valid_zone(spec.asked_zone):
                raise ValueError(spec.asked_zone)
        except (ValueError, KeyError, TypeError):
            log.warning("blocklist %s (%r) is not usable: skipped", bl.pk, bl.zone)
            unusable[bl.zone.strip().strip(".").lower()] = _(
                "The catalogue entry is not valid (its zone or codes): the list was skipped. Correct it in the admin."
            )
            continue
        usable[spec.zone] = (bl, spec)
    return usable, unusable


class _Progress:
    """Adds the chunk's answered queries to the sweep's counter, at most every PROGRESS_EVERY seconds."""

    def __init__(self, sweep_id):
        self.sweep_id, self.reported, self.done, self.at = sweep_id, 0, 0, time.monotonic()

    def __call__(self, done, total):
        self.done = done
        if time.monotonic() - self.at >= PROGRESS_EVERY:
            self.flush()

    def flush(self, final=False):
        delta = self.done - self.reported
        if delta > 0:
            Sweep.objects.filter(pk=self.sweep_id).update(queries_done=F("queries_done") + delta)
            self.reported = self.done
        self.at = time.monotonic()


def _finish(sweep_id: int) -> None:
    with transaction.atomic():
        sweep = Sweep.objects.get(pk=sweep_id)
        listed = ListingStatus.objects.of(sweep.account_id).listed().count()
        if not Sweep.objects.filter(pk=sweep_id, status=Sweep.State.RUNNING).update(
            status=Sweep.State.DONE, finished_at=timezone.now(), queries_done=F("queries_total"), listed=listed
        ):
            return  # another chunk finished it
        changed(sweep.account_id)  # "checked N minutes ago" on the dashboard (core.panel_cache)
        from deliverability.tasks import send_alerts

        transaction.on_commit(lambda: send_alerts.delay(sweep_id))


def record(*, sweep, targets: dict, lists: dict, findings: list[Finding], checked_at) -> list[ListingEvent]:
    """Write the current status of each pair and the listing/delisting events of real transitions."""
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _record(sweep, targets, lists, findings, checked_at)
        except IntegrityError:  # an overlapping sweep created the same pair first: read it and go again
            if attempt == 2:
                raise
    return []


def _record(sweep, targets, lists, findings, checked_at):
    existing = {
        (s.target_id, s.blocklist_id): s
        for s in ListingStatus.objects.select_for_update().filter(
            target__in=[t.pk for t in targets.values()], blocklist__in=[bl.pk for bl in lists.values()]
        )
    }
    creates, updates, events = [], [], []
    unchanged: list[int] = []  # rows whose answer is the same as last time: only checked_at and sweep move
    for finding in findings:
        target, blocklist, result = targets[finding.target.value], lists[finding.spec.zone], finding.result
        status = existing.get((target.pk, blocklist.pk))
        if status is not None and status.checked_at > checked_at:
            continue  # a later sweep already wrote this pair
        if status is None:
            status = ListingStatus(target=target, blocklist=blocklist, listed=None, checked_at=checked_at)
            creates.append(status)
        elif _same(status, result):
            unchanged.append(status.pk)
            continue
        else:
            updates.append(status)
        if result.status.conclusive:
            now_listed = result.status == "listed"
            if now_listed != status.listed and (status.listed is not None or now_listed):
                events.append(
                    ListingEvent(
                        account_id=target.account_id,
                        target=target,
                        blocklist=blocklist,
                        kind=ListingEvent.Kind.LISTED if now_listed else ListingEvent.Kind.DELISTED,
                        codes=list(result.codes),
                        meaning=result.meaning,
                        reason=result.reason,
                        at=checked_at,
                        sweep=sweep,
                    )
                )
                status.listed_since = checked_at if now_listed else None
            status.listed = now_listed
        status.result = result.status.value
        status.codes, status.meaning, status.reason = list(result.codes), result.meaning, result.reason
        status.policy, status.checked_at, status.sweep = result.policy, checked_at, sweep
    _describe_delistings([e for e in events if e.kind == ListingEvent.Kind.DELISTED])
    ListingStatus.objects.bulk_create(creates, batch_size=1000)
    ListingStatus.objects.bulk_update(
        updates,
        ["result", "codes", "meaning", "reason", "policy", "checked_at", "listed", "listed_since", "sweep"],
        batch_size=100,  # a CASE per field and row: small batches keep the statement cheap to build
    )
    for start in range(0, len(unchanged), 1000):
        ListingStatus.objects.filter(pk__in=unchanged[start : start + 1000]).update(checked_at=checked_at, sweep=sweep)
    changed(sweep.account_id)  # bulk writes: the dashboard's blocklist panel (core.panel_cache)
    return ListingEvent.objects.bulk_create(events)


def _describe_delistings(delistings: list[ListingEvent]) -> None:
    """A delisting names the listing that ended (the last listing event of the pair), not the answers
    (errors, say) seen since."""
    if not delistings:
        return
    last = {}
    for event in ListingEvent.objects.filter(
        target__in={e.target_id for e in delistings},
        blocklist__in={e.blocklist_id for e in delistings},
        kind=ListingEvent.Kind.LISTED,
    ).order_by("at", "id"):
        last[(event.target_id, event.blocklist_id)] = event
    for delisting in delistings:
        listing = last.get((delisting.target_id, delisting.blocklist_id))
        if listing is not None:
            delisting.codes, delisting.meaning, delisting.reason = listing.codes, listing.meaning, listing.reason


def _same(status: ListingStatus, result) -> bool:
    """The same answer as last time: nothing to write but the time it was seen."""
    if status.result != result.status.value or list(status.codes) != list(result.codes):
        return False
    if result.status.conclusive and status.listed != (result.status == "listed"):
        return False
    return (status.meaning, status.reason, status.policy) == (result.meaning, result.reason, result.policy)
