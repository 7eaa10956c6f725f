"""Fetching Microsoft SNDS's automated-data-access answers (issue 19). Outbound HTTP only through
``core.netguard`` (resolved once, checked, pinned; ``SNDS_ALLOW_NETWORKS`` lets the tests' loopback server
in). What went wrong is sorted for the caller: the key refused (401/403: no retry, the admin must act),
a temporary failure (5xx, 429, timeout, no connection: retried with back-off), or another answer (a
4xx, a web page instead of CSV). Errors carry a message translated when shown (``core.text``); the key
never appears in one (it is in the URL, so URLs are never logged or stored)."""

import urllib.error
import urllib.request
from datetime import date
from urllib.parse import quote

from django.conf import settings

from core import netguard
from core.text import Msg, _

from . import snds_csv

TIMEOUT = 30  # seconds for one answer
MAX_BYTES = 20 * 1024 * 1024  # a big sender's SNDS answer is a few MB at most


class FetchError(Exception):
    def __init__(self, message: Msg):
        super().__init__(str(message.msgid))
        self.message = message


class KeyRejected(FetchError):
    """Microsoft refused the key: 401 or 403."""


class Temporary(FetchError):
    """Worth trying again later: 5xx, 429, a timeout, no connection."""


def url(page: str, key: str, day: date | None = None) -> str:
    """``day``: data.aspx for that day (``&date=MMDDYY``) instead of the newest."""
    base = settings.SNDS_BASE_URL.rstrip("/")
    dated = f"&date={day:%m%d%y}" if day else ""
    return f"{base}/{page}?key={quote(key, safe='')}{dated}"


def _opener():
    return netguard.opener(networks=settings.SNDS_ALLOW_NETWORKS)


def fetch(page: str, key: str, day: date | None = None) -> bytes:
    """The body of ``page`` ("data.aspx" or "ipStatus.aspx") for ``key``; raises a ``FetchError``."""
    request = urllib.request.Request(url(page, key, day), headers={"User-Agent": "TAM-portal-snds/1"})  # noqa: S310 - netguard opener: http(s) only
    try:
        with _opener().open(request, timeout=TIMEOUT) as response:
            body = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise _http_error(page, exc.code) from None
    except netguard.NotPublic:
        raise FetchError(_("the SNDS address is not on the public internet")) from None
    except TimeoutError:
        raise Temporary(_("%(page)s did not answer within %(s)s seconds") % {"page": page, "s": TIMEOUT}) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = str(getattr(exc, "reason", exc))[:120]
        raise Temporary(_("%(page)s could not be reached: %(reason)s") % {"page": page, "reason": reason}) from None
    if len(body) > MAX_BYTES:
        raise FetchError(_("%(page)s answered more than 20 MB") % {"page": page})
    if snds_csv.looks_like_html(body):
        raise FetchError(_("%(page)s answered with a web page, not data: check the key") % {"page": page})
    return body


def _http_error(page: str, code: int) -> FetchError:
    if code in (401, 403):
        return KeyRejected(_("Microsoft rejected the key (HTTP %(code)s): enter a new one") % {"code": code})
    if code >= 500 or code == 429:
        return Temporary(_("%(page)s answered HTTP %(code)s; tried again later") % {"page": page, "code": code})
    return FetchError(_("%(page)s answered HTTP %(code)s") % {"page": page, "code": code})
