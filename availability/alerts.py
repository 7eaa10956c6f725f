"""Sustained unavailability: once per incident, staff (the TAMs) and the account's alert contacts are
told, and the customer is offered a critical case pre-filled with the incident (MISSION: AV-1, CR-0)."""

import time
from urllib.parse import urlencode

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Account
from accounts.notify import notify

from .ledger import Incident, incidents, iso
from .models import AvailabilityProfile, IncidentAlert
from .reports import unavailable_pairs

LOOKBACK = 3600


def case_link(account: Account, incident: Incident) -> str:
    """The critical-case form, pre-filled with the incident."""
    channels = ", ".join(sorted(incident.as_dict()["channels"])).upper()
    subject = _("Unavailable since %(start)s (%(channels)s)") % {"start": iso(incident.start), "channels": channels}
    description = _(
        "The availability ledger counts %(seconds)s consecutive unavailable seconds from %(start)s on %(channels)s: "
        "every attempt failed with a timeout or a server error."
    ) % {"seconds": incident.seconds, "start": iso(incident.start), "channels": channels}
    query = urlencode({"severity": "critical", "subject": subject, "description": description})
    return f"{reverse('case-new', kwargs={'slug': account.slug})}?{query}"


def sustained(account: Account, now: int | None = None) -> list[Incident]:
    profile = AvailabilityProfile.objects.filter(account=account).first()
    threshold = profile.sustained_seconds if profile else 60
    now = now or int(time.time())
    found = incidents(unavailable_pairs(account, now - LOOKBACK, now + 1))
    return [incident for incident in found if incident.seconds >= threshold]


def alert(account: Account, now: int | None = None) -> int:
    """Alert each sustained incident once; returns how many were alerted now."""
    sent = 0
    for incident in sustained(account, now):
        try:
            with transaction.atomic():
                IncidentAlert.objects.create(
                    account=account, start=incident.start, channels=",".join(incident.as_dict()["channels"])
                )
                _tell(account, incident)
        except IntegrityError:
            continue  # alerted already (a later check of the same, longer incident)
        sent += 1
    return sent


def _tell(account: Account, incident: Incident) -> None:
    """Staff (the TAMs) get the availability page; the customer's side (alert contacts, and the account's
    admins, who can open the critical case) gets the critical-case form, pre-filled in their language."""
    admins = [m.user for m in account.memberships.admins().filter(user__is_active=True).select_related("user")]
    context = {
        "account": account,
        "seconds": incident.seconds,
        "start": iso(incident.start),
        "channels": ", ".join(incident.as_dict()["channels"]).upper(),
    }
    for audience, people, link in (
        ("staff", account.active_tams(), reverse("availability", kwargs={"slug": account.slug})),
        ("customer", [*account.contacts.receiving_alerts(), *admins], lambda: case_link(account, incident)),
    ):
        notify(
            kind="availability.incident",
            recipients=people,
            template="availability/email/incident",
            context=context,
            link=link,
            account=account,
            reference=f"incident-{incident.start}",
            dedupe=f"incident:{account.pk}:{incident.start}:{audience}",
        )
