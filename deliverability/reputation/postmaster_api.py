"""Google Postmaster Tools API v1, read side (issue 19): the domains a connection may read and their
``trafficStats`` over a range of days, and the conversion of one ``TrafficStats`` object into the fields we
store. Field names as documented (shared/facts/reputation.md): ``userReportedSpamRatio`` and its bounds,
``domainReputation``, ``ipReputations[]``, ``spammyFeedbackLoops``, the SPF/DKIM/DMARC success ratios,
the encryption ratios, ``deliveryErrors[]``. A day with too little volume is absent from the answer."""

import json
from datetime import date, datetime
from urllib.parse import quote, urlencode

from django.conf import settings

from .postmaster_oauth import request

PAGE_SIZE = 200


class ApiError(Exception):
    """An answer other than 200. ``expired``: 401 (refresh and try again); ``later``: 429 or 5xx (the days
    stay to import on the next run)."""

    def __init__(self, status: int, message: str = ""):
        super().__init__(f"HTTP {status} {message}".strip())
        self.status, self.message = status, message

    @property
    def expired(self) -> bool:
        return self.status == 401

    @property
    def later(self) -> bool:
        return self.status == 429 or self.status >= 500 or self.status == 0


def _get(path: str, token: str, query: dict | None = None) -> dict:
    url = settings.POSTMASTER_API_BASE.rstrip("/") + "/" + path + ("?" + urlencode(query) if query else "")
    try:
        status, found, _headers = request(url, headers={"Authorization": f"Bearer {token}"})
    except OSError as error:
        raise ApiError(0, str(error)) from error
    if status != 200:
        problem = found.get("error") if isinstance(found.get("error"), dict) else {}
        raise ApiError(status, str(problem.get("status") or problem.get("message") or ""))
    return found


def domains(token: str) -> list[str]:
    """The domain names the connection may read (``domains/example.com`` -> ``example.com``)."""
    names, page = [], ""
    while True:
        found = _get("domains", token, {"pageSize": PAGE_SIZE, **({"pageToken": page} if page else {})})
        names += [d["name"].removeprefix("domains/") for d in found.get("domains", []) if d.get("name")]
        page = found.get("nextPageToken", "")
        if not page:
            return sorted(set(names))


def traffic_stats(token: str, domain: str, first: date, last: date) -> list[dict]:
    """Every TrafficStats object of ``domain`` from ``first`` to ``last`` inclusive (the API's end date is
    exclusive), all pages."""
    end = date.fromordinal(last.toordinal() + 1)
    query = {
        "startDate.year": first.year,
        "startDate.month": first.month,
        "startDate.day": first.day,
        "endDate.year": end.year,
        "endDate.month": end.month,
        "endDate.day": end.day,
        "pageSize": PAGE_SIZE,
    }
    out, page = [], ""
    while True:
        found = _get(
            f"domains/{quote(domain, safe='')}/trafficStats", token, {**query, **({"pageToken": page} if page else {})}
        )
        out += found.get("trafficStats", [])
        page = found.get("nextPageToken", "")
        if not page:
            return out


def _ratio(value) -> float | None:
    try:
        return None if value is None else float(value)
    except (TypeError, ValueError):
        return None


def day_of(stats: dict) -> date | None:
    """The day of a TrafficStats object from its name ``domains/example.com/trafficStats/20250131``."""
    tail = str(stats.get("name", "")).rsplit("/", 1)[-1]
    try:
        return datetime.strptime(tail, "%Y%m%d").date()
    except ValueError:
        return None


def fields_of(stats: dict) -> dict:
    """The columns of a ``PostmasterDay`` from one TrafficStats object (missing stays None / empty)."""
    reputation = stats.get("domainReputation", "")
    return {
        "spam_ratio": _ratio(stats.get("userReportedSpamRatio")),
        "spam_ratio_lower": _ratio(stats.get("userReportedSpamRatioLowerBound")),
        "spam_ratio_upper": _ratio(stats.get("userReportedSpamRatioUpperBound")),
        "domain_reputation": "" if reputation == "REPUTATION_CATEGORY_UNSPECIFIED" else str(reputation)[:24],
        "ip_reputations": [
            {
                "reputation": str(r.get("reputation", "")),
                "ip_count": int(r.get("ipCount") or 0),
                "sample_ips": [str(ip) for ip in r.get("sampleIps", [])][:10],
            }
            for r in stats.get("ipReputations", [])
        ],
        "spammy_feedback_loops": [
            {"id": str(f.get("id", "")), "spam_ratio": _ratio(f.get("spamRatio"))}
            for f in stats.get("spammyFeedbackLoops", [])
        ],
        "spf_ratio": _ratio(stats.get("spfSuccessRatio")),
        "dkim_ratio": _ratio(stats.get("dkimSuccessRatio")),
        "dmarc_ratio": _ratio(stats.get("dmarcSuccessRatio")),
        "outbound_encryption_ratio": _ratio(stats.get("outboundEncryptionRatio")),
        "inbound_encryption_ratio": _ratio(stats.get("inboundEncryptionRatio")),
        "delivery_errors": [
            {
                "error_class": str(e.get("errorClass", "")),
                "error_type": str(e.get("errorType", "")),
                "ratio": _ratio(e.get("errorRatio")),
            }
            for e in stats.get("deliveryErrors", [])
        ],
    }


__all__ = ["ApiError", "day_of", "domains", "fields_of", "json", "traffic_stats"]
