"""Probes: a real API call (HTTP) and a real SMTP injection for an account, recorded as attempts.
MISSION: AV-1.

Outcomes follow the definition: HTTP 2xx/3xx success, 4xx (429 included) client error, 5xx server
error, no answer in time a timeout, a refused connection a server error. SMTP: the message accepted is a
success; 421/451/454 (service not available, local error, temporary failure) are server errors; other
4xx/5xx replies (a refused recipient, say) are client errors; no connection or no answer in time are
timeouts.
"""

import smtplib
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from email.utils import make_msgid

from django.utils import timezone

from .ingest import upsert
from .ledger import API, SERVER_FAILURES, SMTP
from .models import AvailabilityProfile

TIMEOUT = 10.0
SMTP_SERVER_CODES = {421, 451, 454}


def probe_api(url: str, timeout: float = TIMEOUT) -> str:
    if not url.startswith(("https://", "http://")):
        raise ValueError("the probe calls http(s) URLs only")
    request = urllib.request.Request(url, headers={"User-Agent": "EmailEnterprise-availability-probe/1"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - http(s) only, checked above
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
    """Probe once what the profile configures; returns the outcomes by channel."""
    outcomes = {}
    if profile.probe_api_url:
        second = int(time.time())
        outcomes["api"] = probe_api(profile.probe_api_url)
        record(profile.account_id, API, second, outcomes["api"] in SERVER_FAILURES)
    if profile.probe_smtp_host and profile.probe_smtp_to:
        second = int(time.time())
        outcomes["smtp"] = probe_smtp(
            profile.probe_smtp_host,
            profile.probe_smtp_port,
            profile.probe_smtp_from or "probe@portal.test",
            profile.probe_smtp_to,
        )
        record(profile.account_id, SMTP, second, outcomes["smtp"] in SERVER_FAILURES)
    AvailabilityProfile.objects.filter(pk=profile.pk).update(last_probe_at=timezone.now())
    return outcomes
