"""The SLA report per account and month (issue 15; MISSION NC-2, CR-2, CR-4, TAM-4).

Every deadline a clock had (``ClockRecord``), met or breached and by how much, for the month in the viewer's
time zone. A deadline is counted in the month it falls in: a case opened on the 31st at 23:50 whose clock
runs into the next month is in the next month's report (the page and the CSV say so on that row). Paused
deadlines (the case waited on the customer, NC-3) are not counted: the clock goes on as a new deadline.
A deadline still running when the report is read is "running" before it falls and "breached" after it.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from io import StringIO

from django.utils import timezone
from django.utils.translation import gettext as _

from core import spreadsheet

from .models import CaseRating, ClockRecord, SlaAlert
from .services.ledger import margin as margin_of

OUTCOME = ClockRecord.Outcome
CLOCK_LABELS = dict(SlaAlert.Clock.choices)


def month_bounds(year: int, month: int, tz) -> tuple[datetime, datetime]:
    """The month as two aware moments in ``tz`` (end exclusive)."""
    start = datetime(year, month, 1, tzinfo=tz)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start, end


def parse_month(value: str | None, now: datetime, tz) -> tuple[int, int]:
    """ "2026-11" as (2026, 11); anything else is the current month in ``tz``."""
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        if 2000 <= year <= 9999 and 1 <= month <= 12:
            return year, month
    except ValueError:
        pass
    local = now.astimezone(tz)
    return local.year, local.month


@dataclass
class Row:
    record: ClockRecord
    outcome: str
    margin: timedelta | None
    # The clock started in an earlier month than its deadline: counted in the deadline's month.
    carried: bool

    @property
    def case(self):
        return self.record.case

    @property
    def clock_label(self) -> str:
        return str(CLOCK_LABELS.get(self.record.clock, self.record.clock))

    @property
    def outcome_label(self) -> str:
        return str(OUTCOME(self.outcome).label)


@dataclass
class Summary:
    account: object
    met: int = 0
    breached: int = 0
    running: int = 0
    rows: list[Row] = field(default_factory=list)
    # MISSION: TAM-4 — the satisfaction ratings given in the month (issue 15).
    ratings: list = field(default_factory=list)

    @property
    def rating_average(self) -> float | None:
        return round(sum(r.score for r in self.ratings) / len(self.ratings), 1) if self.ratings else None


def _row(record: ClockRecord, now: datetime, start: datetime) -> Row:
    outcome, margin = record.outcome, record.margin
    if outcome == OUTCOME.RUNNING and now > record.due_at:
        outcome = OUTCOME.BREACHED  # missed and still open: late by as much as it is now
        margin = margin_of(record.case, record.clock, record.due_at, now, business=record.business_time)
    carried = record.started_at is not None and record.started_at < start
    return Row(record, outcome, margin, carried)


def report(accounts, year: int, month: int, *, tz, now: datetime | None = None) -> list[Summary]:
    """One summary per account (in the order given), with its rows by deadline."""
    now = now or timezone.now()
    start, end = month_bounds(year, month, tz)
    summaries = {account.pk: Summary(account) for account in accounts}
    records = (
        ClockRecord.objects.filter(case__account__in=list(summaries))
        .due_between(start, end)
        .exclude(outcome=OUTCOME.PAUSED)
        .select_related("case__account__support_calendar")
        # A running, missed business-hours deadline is measured on the calendar: read once, not per row.
        .prefetch_related("case__account__support_calendar__windows", "case__account__support_calendar__exceptions")
        .order_by("due_at", "id")
    )
    for record in records:
        row = _row(record, now, start)
        summary = summaries[record.case.account_id]
        summary.rows.append(row)
        if row.outcome == OUTCOME.MET:
            summary.met += 1
        elif row.outcome == OUTCOME.BREACHED:
            summary.breached += 1
        else:
            summary.running += 1
    ratings = (
        CaseRating.objects.filter(case__account__in=list(summaries), created_at__gte=start, created_at__lt=end)
        .select_related("case", "rated_by")
        .order_by("created_at")
    )
    for rating in ratings:
        summaries[rating.case.account_id].ratings.append(rating)
    return list(summaries.values())


HEADER = [
    "account",
    "case",
    "subject",
    "severity",
    "clock",
    "business_time",
    "started",
    "due",
    "ended",
    "outcome",
    "margin_seconds",
    "note",
]


def _iso(moment: datetime | None, tz) -> str:
    return moment.astimezone(tz).isoformat(timespec="seconds") if moment else ""


def as_csv(summaries: list[Summary], *, tz) -> str:
    """The report as a spreadsheet reads it (``core.spreadsheet``: typed text never runs as a formula). Times
    in the viewer's zone with their offset; the margin in seconds, negative when late."""
    out = StringIO()
    writer = spreadsheet.Writer(out)
    writer.writerow(HEADER)
    for summary in summaries:
        for row in summary.rows:
            record, case = row.record, row.case
            note = _("started in an earlier month; counted in the month of its deadline") if row.carried else ""
            writer.writerow(
                [
                    summary.account.name,
                    case.number,
                    str(case.subject),
                    case.get_severity_display(),
                    row.clock_label,
                    "yes" if record.business_time else "no",
                    _iso(record.started_at, tz),
                    _iso(record.due_at, tz),
                    _iso(record.ended_at, tz),
                    row.outcome,
                    int(row.margin.total_seconds()) if row.margin is not None else "",
                    note,
                ]
            )
    return out.getvalue()
