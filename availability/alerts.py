"""Sustained unavailability (MISSION: AV-1, CR-0): each incident is alerted once when it becomes sustained and
once when it is over, to staff (the TAMs) and the account's alert contacts; the customer is offered a critical
case pre-filled with the incident, and once such a case is open the page links to it instead.

An incident keeps its true first second however long it lasts: the watcher reads from the first second of
every incident it has not yet seen end (``IncidentAlert``), and further back when an incident reaches the
start of what it read. What it finds is matched to the stored incidents by overlap, so repeated sweeps,
overlapping workers and restarts alert nothing twice."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Account
from accounts.notify import absolute_url, notify
from cases.models import Case
from core.panel_cache import changed
from core.text import _ as _msg
from integrations.events import emit

from .ledger import CHANNELS, CLOCK_SKEW, Incident, iso
from .models import PANEL_TOPIC, AvailabilityProfile, IncidentAlert
from .reports import incidents_between

LOOKBACK = 3600  # the watcher reads this far back for incidents it has not stored yet
FURTHEST = 35 * 86400  # and looks no further back for an incident's first second


def case_link(account: Account, incident: Incident) -> str:
    """The critical-case form, pre-filled with the incident (its first second, in UTC, identifies it)."""
    channels = ", ".join(incident.channel_names).upper()
    subject = _("Unavailable since %(start)s (%(channels)s)") % {"start": iso(incident.start), "channels": channels}
    description = _(
        "The availability ledger counts %(unavailable)s unavailable seconds over %(seconds)s seconds from "
        "%(start)s on %(channels)s: every attempt failed with a timeout or a server error."
    ) % {
        "unavailable": incident.unavailable,
        "seconds": incident.seconds,
        "start": iso(incident.start),
        "channels": channels,
    }
    query = urlencode({"severity": "critical", "subject": subject, "description": description})
    return f"{reverse('case-new', kwargs={'slug': account.slug})}?{query}"


def case_for(account: Account, incident: Incident) -> Case | None:
    """The critical case already opened for the incident (from its pre-filled form, which names its first
    second), if any."""
    stamp = iso(incident.start)
    return (
        Case.objects.filter(account=account, severity=Case.Severity.CRITICAL, created_at__gte=incident.started_at)
        .filter(Q(subject__contains=stamp) | Q(description__contains=stamp))
        .order_by("created_at")
        .first()
    )


def threshold_of(account: Account) -> int:
    return threshold_in(AvailabilityProfile.objects.filter(account=account).first())


def threshold_in(profile: AvailabilityProfile | None) -> int:
    return profile.sustained_seconds if profile else 60


def sustained(account: Account, now: int | None = None, known=None, threshold: int | None = None) -> list[Incident]:
    """The sustained incidents of the last LOOKBACK seconds and those not yet over, each from its first second.
    ``known``: a ``reports.Read`` to take the seconds from where it covers them; ``threshold``: the profile's,
    when already read."""
    now = now or int(time.time())
    stored = set(IncidentAlert.objects.filter(account=account, ended_at__isnull=True).values_list("start", flat=True))
    since = min([now - LOOKBACK, *stored])
    until = now + CLOCK_SKEW + 1
    found = incidents_between(account, since, until, known)
    floor = now - FURTHEST

    def cut(found):  # the first incident found may have begun before what was read (a stored start did not)
        return found and found[0].start not in stored and found[0].start - since <= settings.INCIDENT_MERGE_SECONDS

    while cut(found) and since > floor:
        since = max(floor, since - 24 * LOOKBACK)
        found = incidents_between(account, since, until, known)
    threshold = threshold_of(account) if threshold is None else threshold
    return [incident for incident in found if incident.seconds >= threshold]


def ongoing(account: Account, now: int | None = None, known=None, threshold: int | None = None) -> dict | None:
    """The sustained incident going on now, with the critical case opened for it or else the link to open one
    (``known``, ``threshold``: as ``sustained`` takes them)."""
    now = now or int(time.time())
    found = sustained(account, now, known, threshold)
    current = [incident for incident in found if not incident.is_over(now, settings.INCIDENT_MERGE_SECONDS)]
    if not current:
        return None
    incident = current[-1]
    case = case_for(account, incident)
    return {"incident": incident, "case": case, "case_link": "" if case else case_link(account, incident)}


def alert(account: Account, now: int | None = None) -> int:
    """Store and alert what is new: incidents that became sustained, and stored ones now over. Returns how many
    alerts were sent."""
    now = now or int(time.time())
    sent = 0
    for incident in sustained(account, now):
        sent += _keep(account, incident)
    for record in IncidentAlert.objects.filter(account=account, ended_at__isnull=True):
        incident = as_incident(record)
        if incident.is_over(now, settings.INCIDENT_MERGE_SECONDS):
            with transaction.atomic():
                if IncidentAlert.objects.filter(pk=record.pk, ended_at__isnull=True).update(ended_at=timezone.now()):
                    changed(account.pk, PANEL_TOPIC)
                    _tell(account, incident, over=True)
                    sent += 1
    return sent


def as_incident(record: IncidentAlert) -> Incident:
    channels = {CHANNELS[name] for name in record.channels.split(",") if name in CHANNELS}
    return Incident(record.start, max(record.end, record.start + 1), channels, record.unavailable)


def _keep(account: Account, incident: Incident) -> int:
    """Store a sustained incident (1: new, alerted now) or widen the stored one it overlaps (0)."""
    fields = {
        "start": incident.start,
        "end": incident.end,
        "unavailable": incident.unavailable,
        "channels": ",".join(incident.channel_names),
    }
    known = IncidentAlert.objects.filter(account=account, start__lt=incident.end, end__gt=incident.start)
    record = known.order_by("start").first()
    if record is not None:
        if (record.start, record.end, record.unavailable) != (incident.start, incident.end, incident.unavailable):
            IncidentAlert.objects.filter(pk=record.pk).update(**fields)
            changed(account.pk, PANEL_TOPIC)
        return 0
    try:
        with transaction.atomic():
            IncidentAlert.objects.create(account=account, **fields)
            changed(account.pk, PANEL_TOPIC)
            _tell(account, incident, over=False)
    except IntegrityError:
        return 0  # another worker stored it a moment ago
    return 1


def _offer(account: Account, incident: Incident):
    return lambda: case_link(account, incident)


def _tell(account: Account, incident: Incident, *, over: bool) -> None:
    """Staff (the TAMs) get the availability page; the customer's side (alert contacts, and the account's
    admins, who can open the critical case) gets the critical-case form, pre-filled in their language, while it
    lasts, and the availability page once it is over."""
    admins = [m.user for m in account.memberships.admins().filter(user__is_active=True).select_related("user")]
    page = reverse("availability", kwargs={"slug": account.slug})
    context = {
        "account": account,
        "seconds": incident.seconds,
        "unavailable": incident.unavailable,
        "start": iso(incident.start),
        "end": iso(incident.end),
        "channels": ", ".join(incident.channel_names).upper(),
    }
    for audience, people, link in (
        ("staff", account.active_tams(), page),
        ("customer", [*account.contacts.receiving_alerts(), *admins], page if over else _offer(account, incident)),
    ):
        notify(
            kind="availability.incident",
            recipients=people,
            template=f"availability/email/incident{'_ended' if over else ''}",
            context=context,
            link=link,
            account=account,
            reference=f"incident-{incident.start}",
            dedupe=f"incident:{account.pk}:{incident.start}:{audience}" + (":ended" if over else ""),
        )
    _announce(account, incident, over=over, page=page)


def _announce(account: Account, incident: Incident, *, over: bool, page: str) -> None:
    """Issues 19, 20: the incident to the account's alert destinations, in the transaction that stores it."""
    channels = ", ".join(incident.channel_names).upper()
    data = {
        "summary": _msg("%(channels)s unavailable since %(start)s UTC")
        % {"channels": channels, "start": iso(incident.start)},  # noqa: E501
        "started": incident.started_at,
        "channels": incident.channel_names,
        "unavailable_seconds": incident.unavailable,
        "at": incident.ended_at if over else incident.started_at,
        "url": absolute_url(page),
    }
    if over:
        data["ended"] = incident.ended_at
    emit(account=account, type="incident.ended" if over else "incident.started", data=data)
