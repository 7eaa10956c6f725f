"""Actuals in: CSV (an upload) or JSON (the customer's pipeline). Bad rows are reported line by line,
good rows are kept (an existing day and provider is replaced, and the outcome names the days replaced).
MISSION: DLV-1. A CSV file as people have it: comma or semicolon separated (Polish Excel writes ";"),
UTF-8 with or without a BOM, quoted fields, headers and values in any case."""

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from . import warmup
from .models import DailyActual, WarmupPlan

FIELDS = ("date", "provider", "sent", "delivered", "bounced", "complaints", "deferrals", "rate_limited", "blocked")
ALIASES = {
    "google": "gmail", "googlemail": "gmail", "outlook": "microsoft", "hotmail": "microsoft", "live": "microsoft",
    "msn": "microsoft", "aol": "yahoo", "yahoo/aol": "yahoo", "icloud": "apple", "me": "apple", "others": "other",
}  # fmt: skip
MAX_ROWS = 20_000
MAX_NUMBER = 2_147_483_647  # what the database column holds
SEPARATORS = str.maketrans("", "", ", \u00a0\u202f'")  # thousands: 1,200 / 1 200 (Polish Excel) / 1'200
OPTIONAL = ("spam_rate",)  # percent, from Gmail's Postmaster Tools: 0.15, 0,15 (Polish Excel) or 0.15%


@dataclass
class Outcome:
    saved: int = 0
    errors: list = field(default_factory=list)  # (line, message)
    replaced: list = field(default_factory=list)  # "2026-03-02 gmail": days sent before, now with other figures


def parse_row(row: dict, plan: WarmupPlan, today: date | None = None) -> DailyActual:
    """One row (CSV columns or JSON keys) -> an unsaved DailyActual; ValueError in the user's words.
    ``today``: the account's day (a day after it has not happened yet)."""
    today = today or plan.account.today()
    try:
        day = date.fromisoformat(str(row.get("date", "")).strip())
    except ValueError as exc:
        raise ValueError(_("“%(value)s” is not a date like 2026-11-24.") % {"value": row.get("date", "")}) from exc
    if day < plan.start_date:
        raise ValueError(_("%(day)s is before the plan starts (%(start)s).") % {"day": day, "start": plan.start_date})
    if day > today:
        raise ValueError(_("%(day)s is in the future (today is %(today)s).") % {"day": day, "today": today})
    provider = str(row.get("provider", "")).strip().lower()
    provider = ALIASES.get(provider, provider)
    if provider not in warmup.PROVIDERS:
        raise ValueError(
            _("“%(value)s” is not a mailbox provider (gmail, microsoft, yahoo, apple, other).")
            % {"value": row.get("provider", "")}
        )
    numbers = {}
    for name in FIELDS[2:]:
        raw = row.get(name, 0 if name != "sent" else None)
        try:
            value = (
                int(str(raw).strip().translate(SEPARATORS))
                if raw not in (None, "")
                else (0 if name != "sent" else None)
            )
        except ValueError as exc:
            raise ValueError(
                _("%(field)s: “%(value)s” is not a whole number.") % {"field": name, "value": raw}
            ) from exc
        if value is None:
            raise ValueError(_("sent is missing."))
        if value < 0:
            raise ValueError(_("%(field)s cannot be negative.") % {"field": name})
        if value > MAX_NUMBER:
            too_big = _("%(field)s: %(value)s is more than a day can hold.")
            raise ValueError(too_big % {"field": name, "value": f"{value:,}"})
        numbers[name] = value
    for name in FIELDS[3:]:
        if numbers[name] > numbers["sent"]:
            raise ValueError(
                _("%(field)s (%(n)s) is more than sent (%(sent)s).")
                % {"field": name, "n": numbers[name], "sent": numbers["sent"]}
            )
    outcomes = numbers["delivered"] + numbers["bounced"] + numbers["blocked"] + numbers["deferrals"]
    if outcomes > numbers["sent"]:
        raise ValueError(
            _("delivered + bounced + blocked + deferrals (%(n)s) is more than sent (%(sent)s).")
            % {"n": f"{outcomes:,}", "sent": f"{numbers['sent']:,}"}
        )
    if numbers["rate_limited"] > numbers["deferrals"]:
        raise ValueError(
            _("rate_limited (%(n)s) is more than deferrals (%(deferrals)s): rate limits are deferrals.")
            % {"n": f"{numbers['rate_limited']:,}", "deferrals": f"{numbers['deferrals']:,}"}
        )
    spam_rate = parse_spam_rate(row.get("spam_rate"))
    return DailyActual(plan=plan, day=day, provider=provider, spam_rate=spam_rate, **numbers)


def parse_spam_rate(raw) -> Decimal | None:
    """The day's spam rate in percent (Postmaster Tools), or None when not given. MISSION: DLV-1."""
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip().rstrip("%").strip().replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(_("spam_rate: “%(value)s” is not a percentage like 0.08.") % {"value": raw}) from exc
    if not value.is_finite() or not 0 <= value <= 100:
        raise ValueError(_("spam_rate: “%(value)s” is not a percentage like 0.08.") % {"value": raw})
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@transaction.atomic
def save_rows(plan: WarmupPlan, rows: list[tuple[int, dict]], source: str) -> Outcome:
    outcome = Outcome()
    if len(rows) > MAX_ROWS:
        outcome.errors.append((0, _("At most %(n)s rows at a time.") % {"n": f"{MAX_ROWS:,}"}))
        return outcome
    seen, today = {}, plan.account.today()
    before = {(a.day, a.provider): a for a in plan.actuals.all()}
    for line, row in rows:
        try:
            actual = parse_row(row, plan, today)
        except ValueError as exc:
            outcome.errors.append((line, str(exc)))
            continue
        key = (actual.day, actual.provider)
        if key in seen:
            outcome.errors.append((line, _("The same day and provider as line %(line)s.") % {"line": seen[key]}))
            continue
        seen[key] = line
        old = before.get(key)
        if old is not None and any(getattr(old, name) != getattr(actual, name) for name in FIELDS[2:] + OPTIONAL):
            outcome.replaced.append(f"{actual.day.isoformat()} {actual.provider}")
        DailyActual.objects.update_or_create(
            plan=plan,
            day=actual.day,
            provider=actual.provider,
            defaults={name: getattr(actual, name) for name in FIELDS[2:] + OPTIONAL} | {"source": source},
        )
        outcome.saved += 1
    return outcome


def from_csv(plan: WarmupPlan, text: str) -> Outcome:
    text = text.lstrip("\ufeff")
    lines = [line for line in text.splitlines() if line.strip().strip(";,")]
    if not lines:
        return Outcome(errors=[(1, _("The file is empty: it needs a header row and a row per day and provider."))])
    header = lines[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    headers = {h.strip().lower() for h in (reader.fieldnames or []) if h}
    missing = {"date", "provider", "sent"} - headers
    if missing:
        return Outcome(
            errors=[
                (
                    1,
                    _("The header row needs the columns date, provider and sent (missing: %(cols)s).")
                    % {"cols": ", ".join(sorted(missing))},
                )
            ]
        )
    rows = [
        (reader.line_num, {k.strip().lower(): (v or "").strip() for k, v in row.items() if k})
        for row in reader
        if any((v or "").strip() for k, v in row.items() if k)
    ]
    if not rows:
        return Outcome(errors=[(2, _("The file has a header row but no rows of actuals under it."))])
    return save_rows(plan, rows, DailyActual.Source.CSV)


def from_json(plan: WarmupPlan, payload) -> Outcome:
    items = payload.get("actuals") if isinstance(payload, dict) else payload
    if not isinstance(items, list):
        return Outcome(errors=[(0, _("Send a JSON list of rows, or an object with an “actuals” list."))])
    rows = [(number, item if isinstance(item, dict) else {}) for number, item in enumerate(items, start=1)]
    return save_rows(plan, rows, DailyActual.Source.API)
