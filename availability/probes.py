"""Probes: a real API call (HTTP) and a real SMTP injection for an account, recorded as attempts.
MISSION: AV-1.

Outcomes follow the definition: HTTP 2xx/3xx success, 4xx (429 included) client error, 5xx server
error, no answer in time a timeout, a refused connection a server error. SMTP: the message accepted is a
success; 421/451/454 (service not available, local error, temporary failure) are server errors; other
4xx/5xx replies (a refused recipient, say) are client errors; no connection or no answer in time are
timeouts.

A probe reaches public hosts only (``core.netguard``): a host that is or resolves to a loopback, link-local,
private or reserved address is refused on save (``AvailabilityProfile.clean``) and again when the probe
runs, unless ``settings.AVAILABILITY_PROBE_ALLOW_PRIVATE`` (or ``AVAILABILITY_PROBE_ALLOW_NETWORKS``) allows
it. At probe time the name is resolved once and the probe connects to the address that was checked, so a
name that answered a public address on save and 127.0.0.1 now (DNS rebinding) is refused, and so is a
redirect to an internal address. A refused probe records no attempt; the reason is kept on the profile
(``last_probe_refusal``, shown in the reader's language). ASVS V12.6.1.
"""

import logging
import smtplib
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

from django.conf import settings
from django.utils import timezone

from core import netguard
from core.netguard import NotPublic, non_public
from core.text import Msg, join
from core.text import _ as _t

from .ingest import upsert
from .ledger import API, SERVER_FAILURES, SMTP
from .models import AvailabilityProfile

TIMEOUT = 10.0
SMTP_SERVER_CODES = {421, 451, 454}
log = logging.getLogger(__name__)


class ProbeRefused(ValueError):
    """The target is not a public host (and private targets are not allowed); ``reason`` is a core.text
    message, stored on the profile and shown in the reader's language."""

    def __init__(self, reason: Msg):
        super().__init__(str(reason))
        self.reason = reason


INTERNAL = _t("“%(host)s” is an internal address (%(addresses)s): probes reach public hosts only.")


def _rules() -> dict:
    return {
        "allow_private": settings.AVAILABILITY_PROBE_ALLOW_PRIVATE,
        "networks": settings.AVAILABILITY_PROBE_ALLOW_NETWORKS,
    }


def refusal(host: str) -> str | None:
    """Why a probe may not reach ``host``, in the user's words; None when it may (checked on save)."""
    if settings.AVAILABILITY_PROBE_ALLOW_PRIVATE or not host:
        return None
    internal = non_public(host, networks=settings.AVAILABILITY_PROBE_ALLOW_NETWORKS)
    if not internal:
        return None
    return str(INTERNAL % {"host": host, "addresses": ", ".join(internal)})


def _refused(exc: NotPublic) -> ProbeRefused:
    return ProbeRefused(INTERNAL % {"host": exc.host, "addresses": ", ".join(exc.internal)})


def probe_api(url: str, timeout: float = TIMEOUT) -> str:
    """One call: the host (and each redirect's) resolved once, refused when internal, and the address that
    was checked is the one connected to (``core.netguard.opener``: no DNS rebinding between check and call)."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("the probe calls http(s) URLs only")
    request = urllib.request.Request(url, headers={"User-Agent": "EmailEnterprise-availability-probe/1"})  # noqa: S310
    try:
        with netguard.opener(**_rules()).open(request, timeout=timeout) as response:
            return "success" if response.status < 400 else "client_error"
    except NotPublic as exc:
        raise _refused(exc) from None
    except urllib.error.HTTPError as exc:
        return "server_error" if exc.code >= 500 else "client_error"
    except TimeoutError:
        return "timeout"
    except urllib.error.URLError as exc:
        return "timeout" if isinstance(exc.reason, TimeoutError) else "server_error"
    except OSError:
        return "server_error"


def probe_smtp(host: str, port: int, sender: str, recipient: str, timeout: float = TIMEOUT) -> str:
    """One injection, to the address the host resolved to when it was checked (see ``probe_api``)."""
    try:
        address = netguard.pin(host, **_rules())
    except NotPublic as exc:
        raise _refused(exc) from None
    except OSError:
        return "timeout"  # does not resolve: no connection, as when nothing answers
    message = EmailMessage()
    message["From"], message["To"] = sender, recipient
    message["Subject"] = "Availability probe"
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] if "@" in sender else None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("Availability probe; no action needed.\n")
    try:
        with smtplib.SMTP(timeout=timeout) as client:
            client.connect(address, port)
            client._host = host  # a STARTTLS would check the certificate for the name, not the address
            client.send_message(message)
        return "success"
    except smtplib.SMTPResponseException as exc:
        return "server_error" if exc.smtp_code in SMTP_SERVER_CODES else "client_error"
    except smtplib.SMTPRecipientsRefused as exc:
        codes = {code for code, _msg in exc.recipients.values()}
        return "server_error" if codes & SMTP_SERVER_CODES else "client_error"
    except TimeoutError:
        return "timeout"
    except (OSError, smtplib.SMTPException):
        return "timeout"


def record(account_id: int, channel: int, second: int, failed: bool) -> None:
    """Add one attempt to its second's rollup (the ingestion's upsert)."""
    upsert(account_id, {(channel, second): [1, int(failed)]})


def run(profile: AvailabilityProfile) -> dict:
    """Probe once what the profile configures; returns the outcomes by channel ("refused": not probed, as the
    target is internal; nothing recorded)."""
    outcomes = {}
    calls = []
    if profile.probe_api_url:
        calls.append((API, "api", lambda: probe_api(profile.probe_api_url)))
    if profile.probe_smtp_host and profile.probe_smtp_to:
        sender = profile.probe_smtp_from or "probe@portal.test"
        smtp = (profile.probe_smtp_host, profile.probe_smtp_port, sender, profile.probe_smtp_to)
        calls.append((SMTP, "smtp", lambda: probe_smtp(*smtp)))
    refusals = []
    for channel, name, call in calls:
        second = int(time.time())
        try:
            outcomes[name] = call()
        except ProbeRefused as exc:
            log.warning("availability probe of account %s refused: %s", profile.account_id, exc)
            outcomes[name] = "refused"
            refusals.append(exc.reason)
            continue
        record(profile.account_id, channel, second, outcomes[name] in SERVER_FAILURES)
    AvailabilityProfile.objects.filter(pk=profile.pk).update(
        last_probe_at=timezone.now(), last_probe_refusal=join(refusals) if refusals else ""
    )
    return outcomes
