"""State changes of blocklist monitoring: what an account watches, and asking for a sweep; and of the
provider's own content, which belongs to no account: the blocklist catalogue and the library's articles
(audited with ``account=None``: on no account's trail, read by superusers in the admin's audit list).

MISSION: DLV-2. Bad lines never stop good ones: ``targets_add`` adds what it can and returns every line
it could not take, with the reason in the user's words.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit
from accounts.models import Account, AuditEvent, User

from .blocklists.addresses import require_public
from .blocklists.dnsbl import Kind, TargetError, expand_targets
from .models import Article, Blocklist, MessageStream, MonitoredTarget, Sweep

SEPARATORS = re.compile(r"[\s,;]+")
# A sweep that has not finished after this long is taken as dead (a worker lost); a new one may start.
STALE_SWEEP = timedelta(minutes=30)
MANUAL_COOLDOWN = timedelta(minutes=5)


@dataclass
class AddOutcome:
    added: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (the line, why)

    @property
    def rejected_text(self) -> str:
        return "\n".join(line for line, _why in self.rejected)


@transaction.atomic
def targets_add(
    *, account: Account, actor: User | None, text: str, stream_name: str = "", role: str = ""
) -> AddOutcome:
    """Add IPs, networks up to /24 and domains, one per line (or separated by commas/spaces)."""
    outcome = AddOutcome()
    wanted = _wanted_targets(text, outcome)
    if not wanted:
        return outcome
    existing = set(
        MonitoredTarget.objects.filter(account=account, value__in=list(wanted)).values_list("value", flat=True)
    )
    archived = {
        t.value: t for t in MonitoredTarget.all_objects.filter(account=account, value__in=list(wanted)).archived()
    }
    new = _within_room(account, [target for value, target in wanted.items() if value not in existing], outcome)
    stream = None
    if stream_name.strip() and any(target.kind != Kind.DOMAIN for target in new):
        stream, _created = MessageStream.objects.get_or_create(account=account, name=stream_name.strip()[:80])
    domain_role = role if role in MonitoredTarget.Role.values and role != MonitoredTarget.Role.SENDING_IP else "from"
    rows = [
        MonitoredTarget(
            account=account,
            kind=target.kind,
            value=target.value,
            stream=stream if target.kind != Kind.DOMAIN else None,
            role=MonitoredTarget.Role.SENDING_IP if target.kind != Kind.DOMAIN else domain_role,
            sort_key=MonitoredTarget.sort_key_for(target.kind, target.value),
            added_by=actor,
        )
        for target in new
    ]
    for row in rows:  # added again after a removal: the same row, its history continues
        if row.value in archived:
            row.pk, row.created_at = archived[row.value].pk, archived[row.value].created_at
    MonitoredTarget.all_objects.bulk_update(
        [row for row in rows if row.pk], ["stream", "role", "added_by", "archived_at"], batch_size=500
    )
    MonitoredTarget.objects.bulk_create([row for row in rows if not row.pk], ignore_conflicts=True)
    outcome.added = [target.value for target in new]
    outcome.already = sorted(existing)
    if outcome.added:
        audit(
            account=account,
            actor=actor,
            kind=AuditEvent.Kind.MONITORING_CHANGED,
            added=outcome.added[:50],
            count=len(outcome.added),
            stream=stream.name if stream else "",
        )
        _check_added(account)
    return outcome


def _wanted_targets(text: str, outcome: AddOutcome) -> dict:
    """Each target the text names, once; what cannot be monitored goes to ``outcome.rejected`` with why."""
    wanted: dict[str, object] = {}
    for item in (part for part in SEPARATORS.split(text or "") if part):
        try:
            expanded = expand_targets(item)
            require_public(item)  # MISSION: DLV-2 — 10/8, 127/8, fe80::/10... never send on the internet
            for target in expanded:
                wanted.setdefault(target.value, target)
        except TargetError as exc:
            outcome.rejected.append((item, str(exc)))
    return wanted


def _within_room(account: Account, new: list, outcome: AddOutcome) -> list:
    """The new targets the account's limit leaves room for; the rest are refused, saying the limit."""
    room = max(settings.BLOCKLIST_MAX_TARGETS - MonitoredTarget.objects.filter(account=account).count(), 0)
    full = _("This account already watches the most targets it may (%(limit)s).")
    outcome.rejected += [(t.value, full % {"limit": settings.BLOCKLIST_MAX_TARGETS}) for t in new[room:]]
    return new[:room]


def _check_added(account: Account) -> None:
    """MISSION: DLV-2 — new targets are checked when added: a sweep, started once the addition commits."""
    transaction.on_commit(lambda: sweep_request(account=account, trigger=Sweep.Trigger.ADDED))


@transaction.atomic
def target_remove(*, target: MonitoredTarget, actor: User | None) -> None:
    """Stop monitoring a target; it is archived, so its listing history stays (MISSION: DLV-2)."""
    audit(
        account=target.account,
        actor=actor,
        kind=AuditEvent.Kind.MONITORING_CHANGED,
        target=target,
        removed=[target.value],
    )
    target.archived_at = timezone.now()
    target.save(update_fields=["archived_at"])


@transaction.atomic
def target_move(*, target: MonitoredTarget, actor: User, stream: MessageStream | None) -> MonitoredTarget:
    """A sending IP moves to another message stream of its account (or to none)."""
    if stream is not None and stream.account_id != target.account_id:
        raise ValidationError(_("That stream belongs to another account."))
    if not target.is_ip:
        raise ValidationError(_("Only sending IPs belong to a message stream."))
    before = target.stream.name if target.stream else ""
    if target.stream_id == (stream.pk if stream else None):
        return target
    target.stream = stream
    target.save(update_fields=["stream"])
    audit(
        account=target.account,
        actor=actor,
        kind=AuditEvent.Kind.MONITORING_CHANGED,
        target=target,
        moved=target.value,
        before=before,
        after=stream.name if stream else "",
    )
    return target


@transaction.atomic
def target_save(*, target: MonitoredTarget, actor: User, changed: list[str]) -> MonitoredTarget:
    """One target added or changed as a form has it (the admin's, cleaned by ``MonitoredTarget.clean``).
    A target added again after its removal is the archived row restored, with its history."""
    added = target.pk is None
    if added:
        target.added_by = actor
        earlier = MonitoredTarget.all_objects.archived().filter(account=target.account, value=target.value).first()
        if earlier is not None:
            target.pk, target.created_at = earlier.pk, earlier.created_at
            target.sort_key = earlier.sort_key
    target.archived_at = None
    target.save()
    if added:
        _check_added(target.account)
    details = {"added": [target.value]} if added else {"changed": list(changed), "value": target.value}
    audit(account=target.account, actor=actor, kind=AuditEvent.Kind.MONITORING_CHANGED, target=target, **details)
    return target


@transaction.atomic
def stream_save(*, stream: MessageStream, actor: User, changed: list[str]) -> MessageStream:
    """A message stream added, renamed or described (the admin's form)."""
    added = stream.pk is None
    stream.save()
    details = {"added_stream": stream.name} if added else {"changed_stream": stream.name, "changed": list(changed)}
    audit(account=stream.account, actor=actor, kind=AuditEvent.Kind.MONITORING_CHANGED, target=stream, **details)
    return stream


@transaction.atomic
def target_set_dkim_selectors(*, target: MonitoredTarget, actor: User, selectors: list[str]) -> MonitoredTarget:
    """The DKIM selectors of a From domain (letters, digits, hyphens, dots, underscores; each once:
    selectors are DNS labels, so case-insensitive, and kept in lower case)."""
    selectors = [selector.lower() for selector in selectors]
    bad = [s for s in selectors if not all(c.isalnum() or c in "-._" for c in s) or len(s) > 63]
    if bad:
        raise ValidationError(_("Not a DKIM selector: %(list)s") % {"list": ", ".join(bad)})
    before, after = target.dkim_selectors, " ".join(dict.fromkeys(selectors))
    if after == before:
        return target
    target.dkim_selectors = after
    target.save(update_fields=["dkim_selectors"])
    audit(
        account=target.account,
        actor=actor,
        kind=AuditEvent.Kind.DKIM_SELECTORS_CHANGED,
        target=target,
        before=before,
        after=after,
    )
    return target


@transaction.atomic
def stream_remove(*, stream: MessageStream, actor: User | None) -> None:
    """Removing a stream stops monitoring its IPs (archived: their history stays)."""
    values = list(stream.targets.values_list("value", flat=True)[:50])
    audit(
        account=stream.account,
        target=stream,
        actor=actor,
        kind=AuditEvent.Kind.MONITORING_CHANGED,
        removed_stream=stream.name,
        removed=values,
    )
    stream.targets.all().update(archived_at=timezone.now())
    stream.delete()


@dataclass(frozen=True)
class SweepRequest:
    sweep: Sweep
    outcome: str  # "started", "running" (one already under way was joined) or "recent" (the cooldown)

    @property
    def started(self) -> bool:
        return self.outcome == "started"


@transaction.atomic
def sweep_request(*, account: Account, actor: User | None = None, trigger: str = Sweep.Trigger.SCHEDULE) -> Sweep:
    """A new sweep for the account, or the one already under way (overlapping requests share it)."""
    return sweep_start(account=account, actor=actor, trigger=trigger).sweep


@transaction.atomic
def sweep_start(*, account: Account, actor: User | None = None, trigger: str = Sweep.Trigger.SCHEDULE) -> SweepRequest:
    """``sweep_request``, saying whether this request started the sweep ("Check now" never claims a check
    it did not start). A sweep for added targets does not join one already past its start (it would miss them)."""
    Account.objects.select_for_update().filter(pk=account.pk).first()  # one request at a time per account
    running = Sweep.objects.filter(account=account, created_at__gte=timezone.now() - STALE_SWEEP).unfinished()
    if trigger == Sweep.Trigger.ADDED:
        running = running.filter(status=Sweep.State.QUEUED)
    running = running.order_by("-created_at").first()
    if running is not None:
        return SweepRequest(running, "running")
    if trigger == Sweep.Trigger.MANUAL:
        # "Check now" at most every few minutes: lists rate-limit (Spamhaus answers 127.255.255.255)
        recent = Sweep.objects.filter(finished_at__gte=timezone.now() - MANUAL_COOLDOWN).last_finished(account)
        if recent is not None:
            return SweepRequest(recent, "recent")
    sweep = Sweep.objects.create(account=account, trigger=trigger, requested_by=actor)
    from .tasks import run_sweep

    transaction.on_commit(lambda: run_sweep.delay(sweep.pk))
    return SweepRequest(sweep, "started")


def _form_fields(obj, changed: list[str]) -> list[str]:
    """The model fields among a form's changed fields (a form may name fields the model has not)."""
    concrete = {f.name for f in obj._meta.concrete_fields}
    return [f for f in changed if f in concrete]


@transaction.atomic
def blocklist_save(*, blocklist: Blocklist, actor: User, changed: list[str]) -> Blocklist:
    """MISSION: DLV-2 — a catalogue entry added or changed (the admin's form or its list's "enabled" box)."""
    added = blocklist.pk is None
    fields = _form_fields(blocklist, changed)
    if not added and not fields:
        return blocklist
    blocklist.full_clean(validate_unique=added or "zone" in fields)
    blocklist.save(**({} if added else {"update_fields": fields}))
    details = {"added": blocklist.zone} if added else {"changed": fields, "zone": blocklist.zone}
    if "enabled" in fields:
        details["enabled"] = blocklist.enabled
    audit(account=None, actor=actor, kind=AuditEvent.Kind.CATALOGUE_CHANGED, target=blocklist, **details)
    return blocklist


@transaction.atomic
def blocklist_remove(*, blocklist: Blocklist, actor: User) -> None:
    """Removing a list from the catalogue removes its listing history (to keep it, untick "enabled")."""
    audit(account=None, actor=actor, kind=AuditEvent.Kind.CATALOGUE_CHANGED, target=blocklist, removed=blocklist.zone)
    blocklist.delete()


@transaction.atomic
def article_save(*, article: Article, actor: User, changed: list[str]) -> Article:
    """MISSION: TAM-6 — a library article written or edited; whoever writes it first is its author."""
    added = article.pk is None
    fields = _form_fields(article, changed)
    if not added and not fields:
        return article
    if article.author_id is None:
        article.author = actor
        fields.append("author")
    article.full_clean(validate_unique=added or "slug" in fields)
    # published_at: set by save() when the article is first published
    article.save(**({} if added else {"update_fields": [*fields, "published_at", "updated_at"]}))
    details = {"added": article.slug} if added else {"changed": fields, "slug": article.slug}
    audit(
        account=None,
        actor=actor,
        kind=AuditEvent.Kind.ARTICLE_CHANGED,
        target=article,
        status=article.status,
        **details,
    )
    return article


@transaction.atomic
def article_remove(*, article: Article, actor: User) -> None:
    audit(account=None, actor=actor, kind=AuditEvent.Kind.ARTICLE_CHANGED, target=article, removed=article.slug)
    article.delete()
