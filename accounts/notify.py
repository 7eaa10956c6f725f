"""The one way to tell people something by email: rendered in each recipient's language, with absolute
links, thread and ``Auto-Submitted`` headers, written to the durable outbox (``accounts/outbox.py``) in the
caller's transaction.

A notification is named by one template base: ``<base>_subject.txt`` (one line), ``<base>.txt`` (the text)
and, with ``html=True``, ``<base>.html``. The text templates are rendered with autoescaping off whatever
they say: a subject or a text body is plain text and is never HTML-escaped (``Globex & Sons <EU>`` reaches
the reader verbatim). Recipients are anything with ``email`` and ``language`` (a ``User``, a contact of
``Contact.objects.receiving_alerts()``, an ``Address``); one email is written per language and time zone,
to all who read it, with times shown in that zone. Recipients themselves are named once on the models:
``Account.active_tams()``, ``Account.alert_recipients()``, ``OnCallShift.objects.agents_on_duty(at)``.
"""

import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from .outbox import outbox_enqueue

AUTO_GENERATED = "auto-generated"  # RFC 3834: made by a process (alerts, reminders, status changes)
AUTO_REPLIED = "auto-replied"  # RFC 3834: the automatic answer to a message (a case acknowledgement)


@dataclass(frozen=True)
class Address:
    """Someone to tell who has no login (the caller on a Severity 1 phone intake)."""

    email: str
    language: str = ""
    pk: None = None
    timezone: str = ""  # "" reads in the account's zone


@dataclass(frozen=True)
class Thread:
    """Where the email belongs in the reader's mailbox: its own Message-ID (made per language, so each copy
    is told apart), the thread root it answers, and where replies go."""

    message_id: Callable[[str], str]
    root: str
    reply_to: str = ""


def absolute_url(path: str) -> str:
    """A portal path as the link in an email (every email link is made here)."""
    return settings.PORTAL_BASE_URL.rstrip("/") + path


def by_language(recipients: Iterable) -> dict[str, list[str]]:
    """Addresses (lower-cased, each once) by the language their reader chose; the site's language if none."""
    groups: dict[str, set[str]] = defaultdict(set)
    for person in recipients:
        email = (person.email or "").strip().lower()
        if email:
            groups[person.language or settings.LANGUAGE_CODE].add(email)
    return {language: sorted(emails) for language, emails in groups.items()}


def by_reader(recipients: Iterable, *, default_zone: str = "") -> dict[tuple[str, str], list[str]]:
    """Addresses by the language and the time zone their reader chose (an email shows times in the reader's
    zone); someone without a zone of their own (a contact) reads in ``default_zone`` (the account's)."""
    groups: dict[tuple[str, str], set[str]] = defaultdict(set)
    for person in recipients:
        email = (person.email or "").strip().lower()
        if email:
            zone = getattr(person, "timezone", "") or default_zone or settings.TIME_ZONE
            groups[(person.language or settings.LANGUAGE_CODE, zone)].add(email)
    return {key: sorted(emails) for key, emails in groups.items()}


def _plain(name: str, context: dict) -> str:
    template = get_template(name).template  # Django's own Template, so autoescaping can be switched off
    return str.__str__(template.render(Context(context, autoescape=False)))


def render(template: str, context: dict, *, html: bool = False) -> tuple[str, str, str]:
    """Subject (one line, always), text and HTML bodies in the active language."""
    subject = " ".join(_plain(f"{template}_subject.txt", context).split())
    body = _plain(f"{template}.txt", context)
    html_body = get_template(f"{template}.html").render(context) if html else ""
    return subject, body, html_body


def headers_for(language: str, *, thread: Thread | None, auto_submitted: str | None) -> dict:
    headers = {}
    if thread is not None:
        headers.update(
            {"Message-ID": thread.message_id(language), "In-Reply-To": thread.root, "References": thread.root}
        )
        if thread.reply_to:
            headers["Reply-To"] = thread.reply_to
    if auto_submitted:
        headers["Auto-Submitted"] = auto_submitted
        headers["X-Auto-Response-Suppress"] = "All"  # and Exchange is asked not to answer it either
    return headers


def _renderings(recipients, default_zone: str, *, template, context, link, html):
    """(language, addresses, (subject, text, html), zone) per email to write: rendered in each reader's language
    and time zone; readers of one language whose zones make no difference to the text (no time in it, or the
    same local time) share one email, and its zone is "" then."""
    by_language: dict[str, dict[str, list[str]]] = defaultdict(dict)
    for (language, zone), emails in by_reader(recipients, default_zone=default_zone).items():
        by_language[language][zone] = emails
    for language, zones in by_language.items():
        versions: dict[tuple, tuple[list[str], list[str]]] = {}
        for zone, emails in sorted(zones.items()):
            with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
                url = absolute_url(link() if callable(link) else link) if link else ""
                rendered = render(template, {**context, "url": url, "LANGUAGE_CODE": language}, html=html)
            addresses, seen_in = versions.setdefault(rendered, ([], []))
            addresses.extend(emails)
            seen_in.append(zone)
        for rendered, (addresses, seen_in) in versions.items():
            yield language, sorted(set(addresses)), rendered, seen_in[0] if len(versions) > 1 else ""


def notify(
    *,
    kind: str,
    recipients: Iterable,
    template: str,
    context: dict,
    link: str | Callable[[], str] = "",
    account=None,
    reference: str = "",
    thread: Thread | None = None,
    auto_submitted: str | None = AUTO_GENERATED,
    html: bool = False,
    dedupe: str | None = None,
) -> list:
    """Queue one email per language and time zone; returns the outbox rows written (none for a dedupe key already used).

    ``link`` is the portal path the email points to, made absolute as ``url`` in the context; a callable is
    called in the reader's language (a link whose query carries translated text). ``auto_submitted`` is
    ``None`` only for what a person wrote (a reply relayed from a case). With ``dedupe`` each language's
    email is queued at most once (the key gets ``:<language>``, and ``:<zone>`` before it where readers of one
    language read different times)."""
    rows = []
    default_zone = getattr(account, "timezone", "") if account is not None else ""
    for language, emails, rendered, zone in _renderings(
        recipients, default_zone, template=template, context=context, link=link, html=html
    ):
        subject, body, html_body = rendered
        row = outbox_enqueue(
            kind=kind,
            to=emails,
            subject=subject,
            body=body,
            html_body=html_body,
            account=account,
            reference=reference,
            headers=headers_for(language, thread=thread, auto_submitted=auto_submitted),
            dedupe_key=(f"{dedupe}:{zone}:{language}" if zone else f"{dedupe}:{language}") if dedupe else None,
        )
        if row is not None:
            rows.append(row)
    return rows
