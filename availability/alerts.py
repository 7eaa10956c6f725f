"""Sustained unavailability: once per incident, staff (the TAMs) and the account's alert contacts are
told, and the customer is offered a critical case pre-filled with the incident (MISSION: AV-1, CR-0)."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from accounts.models import Account, Contact, Membership
from accounts.outbox import outbox_enqueue

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
    base = settings.PORTAL_BASE_URL.rstrip("/")
    staff = [p for p in (account.primary_tam, account.backup_tam) if p is not None and p.is_active]
    # the customer's side: alert contacts, and the account's admins (who can open the critical case)
    customers = {
        e.lower(): ""
        for e in Contact.objects.filter(account=account, receives_alerts=True).values_list("email", flat=True)
    }
    for member in Membership.objects.admins().filter(account=account).select_related("user"):
        customers[member.user.email.lower()] = member.user.language
    for people, link in (
        ([(p.email, p.language) for p in staff], base + reverse("availability", kwargs={"slug": account.slug})),
        (list(customers.items()), base + case_link(account, incident)),
    ):
        for email, language in people:
            with translation.override(language or settings.LANGUAGE_CODE):
                subject = _("[%(account)s] Unavailable for %(seconds)s seconds and counting") % {
                    "account": account.name, "seconds": incident.seconds,
                }  # fmt: skip
                body = _(
                    "Every attempt on %(channels)s has failed with a timeout or a server error since %(start)s "
                    "(%(seconds)s consecutive seconds).\n\n%(link)s\n"
                ) % {"channels": ", ".join(incident.as_dict()["channels"]).upper(), "start": iso(incident.start),
                     "seconds": incident.seconds, "link": link}  # fmt: skip
            outbox_enqueue(
                kind="availability.incident",
                to=[email],
                subject=subject,
                body=body,
                account=account,
                reference=f"incident-{incident.start}",
                dedupe_key=f"incident:{account.pk}:{incident.start}:{email}",
            )
