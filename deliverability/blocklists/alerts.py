"""Blocklist alerts: one email per sweep and language to the account's alert contacts and its TAMs.

MISSION: DLV-2. Events are claimed with ``SKIP LOCKED`` and marked in the same transaction as the
outbox rows, so a redelivered task sends nothing twice (and the outbox dedupe key guards the rest).
"""

from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Contact, User
from accounts.outbox import outbox_enqueue
from deliverability.models import ListingEvent, Sweep


def recipients(account) -> dict[str, list[str]]:
    """Addresses by language: contacts who receive alerts (in the language of their login, if they have
    one), the TAM and the backup TAM."""
    emails = {c.email.lower() for c in Contact.objects.filter(account=account, receives_alerts=True)}
    languages = dict(User.objects.filter(email__in=list(emails)).values_list("email", "language"))
    by_language: dict[str, set] = defaultdict(set)
    for email in emails:
        by_language[languages.get(email) or settings.LANGUAGE_CODE].add(email)
    for tam in (account.primary_tam, account.backup_tam):
        if tam is not None and tam.is_active:
            by_language[tam.language or settings.LANGUAGE_CODE].add(tam.email.lower())
    return {language: sorted(addresses) for language, addresses in by_language.items()}


@transaction.atomic
def send_alerts(sweep_id: int) -> int:
    """Queue the sweep's alert emails; returns how many events they reported."""
    sweep = Sweep.objects.select_related("account__primary_tam", "account__backup_tam").get(pk=sweep_id)
    events = list(
        ListingEvent.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(sweep=sweep, alerted_at__isnull=True)
        .select_related("target__stream", "blocklist")
        .order_by("kind", "blocklist__importance", "target__value")
    )
    if not events:
        return 0
    account = sweep.account
    listed = [e for e in events if e.kind == ListingEvent.Kind.LISTED]
    delisted = [e for e in events if e.kind == ListingEvent.Kind.DELISTED]
    url = settings.PORTAL_BASE_URL.rstrip("/") + reverse("deliverability", kwargs={"slug": account.slug})
    for language, addresses in recipients(account).items():
        with translation.override(language):
            context = {"account": account, "listed": listed, "delisted": delisted, "url": url, "sweep": sweep}
            subject = " ".join(render_to_string("deliverability/email/subject.txt", context).split())
            body = render_to_string("deliverability/email/alert.txt", context)
            html_body = render_to_string("deliverability/email/alert.html", context)
        outbox_enqueue(
            kind="blocklist.alert",
            to=addresses,
            subject=subject,
            body=body,
            html_body=html_body,
            account=account,
            reference=f"sweep-{sweep.pk}",
            headers={"Auto-Submitted": "auto-generated", "X-Auto-Response-Suppress": "All"},
            dedupe_key=f"blocklist-alert:{sweep.pk}:{language}",
        )
    ListingEvent.objects.filter(pk__in=[e.pk for e in events]).update(alerted_at=timezone.now())
    return len(events)
