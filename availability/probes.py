"""Probes: a real API call (HTTP) and a real SMTP injection for an account, recorded as attempts.
MISSION: AV-1.

Outcomes follow the definition: HTTP 2xx/3xx success, 4xx (429 included) client error, 5xx server
error, no answer in time a timeout, a refused connection a server error. SMTP: the message accepted is a
success; 421/451/454 (service not available, local error, temporary failure) are server errors; other
4xx/5xx replies (a refused recipient, say) are client errors; no connection or no answer in time are
timeouts.

A probe reaches public hosts only (``core.netguard``): a host that is or resolves to a loopback, link-local,
private or reserved address is refused on save (``AvailabilityProfile.clean``) and again before each probe
(DNS may have changed since, and an HTTP redirect may point inward), unless
``settings.AVAILABILITY_PROBE_ALLOW_PRIVATE`` allows it. A refused probe records no attempt.
"""

import logging
import smtplib
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.netguard import non_public

from .ingest import upsert
from .ledger import API, SERVER_FAILURES, SMTP
from .models import AvailabilityProfile

TIMEOUT = 10.0
SMTP_SERVER_CODES = {421, 451, 454}
log = logging.getLogger(__name__)


class ProbeRefused(ValueError):
    """The target is not a public host (and private targets are not allowed)."""


def refusal(host: str) -> str | None:
    """Why a probe may not reach ``host``, in the user's words; None when it may."""
    if settings.AVAILABILITY_PROBE_ALLOW_PRIVATE or not host:
        return None
    internal = non_public(host)
    if not internal:
        return None
    return _("“%(host)s” is an internal address (%(addresses)s): probes reach public hosts only.") % {
        "host": host,
        "addresses": ", ".join(internal),
    }


def guard(host: str) -> None:
    """Raise ProbeRefused when a probe may not reach ``host``."""
    reason = refusal(host)
    if reason:
        raise ProbeRefused(reason)


class GuardedRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is followed only to a host the probe may reach."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        guard(urlsplit(newurl).hostname or "")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def probe_api(url: str, timeout: float = TIMEOUT) -> str:
    if not url.startswith(("https://", "http://")):
        raise ValueError("the probe calls http(s) URLs only")
    guard(urlsplit(url).hostname or "")
    request = urllib.request.Request(url, headers={"User-Agent": "EmailEnterprise-availability-probe/1"})  # noqa: S310
    opener = urllib.request.build_opener(GuardedRedirects)
    try:
        with opener.open(request, timeout=timeout) as response:
            return "success" if response.status < 400 else "client_error"
    except urllib.error.HTTPError as exc:
        return "server_error" if exc.code >= 500 else "client_error"
    except TimeoutError:
        return "timeout"
    except urllib.error.URLError as exc:
        return "timeout" if isinstance(exc.reason, TimeoutError) else "server_error"
    except OSError:
        return "server_error"


def probe_smtp(host: str, port: int, sender: str, recipient: str, timeout: float = TIMEOUT) -> str:
    guard(host)
    message = EmailMessage()
    message["From"], message["To"] = sender, recipient
    message["Subject"] = "Availability probe"
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1] if "@" in sender else None)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content("Availability probe; no action needed.\n")
    try:
        with smtplib.SMTP(host, port, timeout=timeout) as client:
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
    for channel, name, call in calls:
        second = int(time.time())
        try:
            outcomes[name] = call()
        except ProbeRefused as exc:
            log.warning("availability probe of account %s refused: %s", profile.account_id, exc)
            outcomes[name] = "refused"
            continue
        record(profile.account_id, channel, second, outcomes[name] in SERVER_FAILURES)
    AvailabilityProfile.objects.filter(pk=profile.pk).update(last_probe_at=timezone.now())
    return outcomes
