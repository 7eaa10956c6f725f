"""What a delivery says: the versioned JSON event for an HTTPS endpoint, and a message a person reads for
Slack (``text`` + Block Kit ``blocks``) and Microsoft Teams (a message with an Adaptive Card attachment), in
the destination's language with times in its zone, named. Pure functions of the event and the destination.

The JSON event (version 1, stable: fields are added, never renamed)::

    {"id": "evt_…", "type": "case.opened", "version": 1, "created": "2026-05-11T10:00:00+00:00",
     "account": {"slug": "acme", "name": "Acme"}, "data": {...}}
"""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import formats, translation
from django.utils.functional import Promise

from core.text import Msg, Text
from core.text import _ as msg

VERSION = 1

# One title per event type; ``data`` fills it (each service passes the fields its title names).
TITLES = {
    "case.opened": msg("Case %(number)s opened: %(subject)s"),
    "case.critical": msg("Severity 1 case %(number)s opened: %(subject)s"),
    "case.updated": msg("Case %(number)s is now “%(status)s”: %(subject)s"),
    "case.resolved": msg("Case %(number)s resolved: %(subject)s"),
    "blocklist.listed": msg("%(target)s is listed on %(list)s"),
    "blocklist.delisted": msg("%(target)s is no longer listed on %(list)s"),
    "authentication.failing": msg("%(domain)s: %(check)s started failing"),
    "incident.started": msg("Availability incident started: %(summary)s"),
    "incident.ended": msg("Availability incident ended: %(summary)s"),
    "warmup.decision": msg("Warm-up plan %(plan)s, %(provider)s: %(decision)s"),
    "reputation.snds_red": msg("Microsoft SNDS: %(ip)s filter result %(filter)s, %(trap_hits)s trap hits on %(day)s"),
    "reputation.dropped": msg("%(domain)s: %(provider)s domain reputation dropped from %(from)s to %(to)s on %(day)s"),
    "test": msg("A test event from the TAM portal for %(account)s"),
}
OPEN_LINK = msg("Open in the portal")


def plain(value):
    """A value of ``data`` as JSON: messages and lazy text in the active language, times as ISO 8601."""
    if isinstance(value, Msg | Text | Promise):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def event_json(*, event_id: str, type: str, created: datetime, account, data: dict) -> str:  # noqa: A002
    with translation.override("en"):
        event = {
            "id": event_id,
            "type": type,
            "version": VERSION,
            "created": created.isoformat(),
            "account": {"slug": account.slug, "name": account.name},
            "data": plain(data),
        }
    return json.dumps(event, ensure_ascii=False, sort_keys=False)


def when(moment: datetime, zone: str) -> str:
    """A time as the destination reads it: in its zone, the zone named."""
    local = moment.astimezone(ZoneInfo(zone))
    return f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M} ({zone})"


def _texts(*, type: str, created: datetime, account, data: dict, destination) -> tuple[str, str, str]:  # noqa: A002
    """The title, the time line and the link label, in the destination's language."""
    with translation.override(destination.language):
        args = {k: plain(v) for k, v in data.items()} | {"account": account.name}
        title = str(TITLES[type] % args)
        moment = data.get("at") if isinstance(data.get("at"), datetime) else created
        return title, f"{account.name} · {when(moment, destination.timezone)}", str(OPEN_LINK)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(*, type: str, created: datetime, account, data: dict, destination) -> str:  # noqa: A002
    """Slack incoming webhook: ``text`` (the notification's fallback) and Block Kit ``blocks``."""
    title, line, link = _texts(type=type, created=created, account=account, data=data, destination=destination)
    section = f"*{_slack_escape(title)}*"
    if data.get("url"):
        section += f"\n<{data['url']}|{_slack_escape(link)}>"
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": section}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _slack_escape(line)}]},
    ]
    return json.dumps({"text": _slack_escape(title), "blocks": blocks}, ensure_ascii=False)


def teams(*, type: str, created: datetime, account, data: dict, destination) -> str:  # noqa: A002
    """Microsoft Teams incoming webhook (or a Workflows webhook): a message carrying one Adaptive Card."""
    title, line, link = _texts(type=type, created=created, account=account, data=data, destination=destination)
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": [
            {"type": "TextBlock", "text": title, "weight": "Bolder", "size": "Medium", "wrap": True},
            {"type": "TextBlock", "text": line, "isSubtle": True, "wrap": True},
        ],
    }
    if data.get("url"):
        card["actions"] = [{"type": "Action.OpenUrl", "title": link, "url": data["url"]}]
    attachment = {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
    return json.dumps({"type": "message", "attachments": [attachment]}, ensure_ascii=False)


def body_for(destination, **event) -> str:
    """The bytes one destination receives for one event."""
    if destination.kind == "slack":
        return slack(destination=destination, **{k: v for k, v in event.items() if k != "event_id"})
    if destination.kind == "teams":
        return teams(destination=destination, **{k: v for k, v in event.items() if k != "event_id"})
    return event_json(**event)
