"""What the API sends and takes (issue 20): one schema per resource, the fields a customer's tool needs.
Times are ISO 8601 in UTC; texts the portal wrote are in the language of ``Accept-Language`` (English or Polish)."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Schema

from cases.limits import TEXT_MAX


class Error(Schema):
    detail: str


class Invalid(Schema):
    detail: str = Field(description="what is wrong, in words")
    errors: list[dict] = Field([], description="each invalid field: loc, msg, type (none for a reused key)")


COMMON = (401, 403, 429)  # no or a bad token; a scope or right missing; invalid input; past the rate limit


def answers(ok: dict, *codes: int) -> dict:
    """An operation's documented answers: its own, and the errors every call may get."""
    return ok | dict.fromkeys((*COMMON, *codes), Error) | {422: Invalid}


class Event(Schema):
    id: int
    kind: str = Field(description="opened, reply, status, resolution_proposed, …")
    kind_label: str
    author: str = Field(description="the author's name, or the portal")
    text: str
    created: datetime


class CaseSummary(Schema):
    number: str
    subject: str
    status: str
    status_label: str
    severity: Literal["critical", "non_critical"]
    category: str
    created: datetime
    updated: datetime
    next_deadline: datetime | None = Field(description="the clock that runs out first, if any")
    url: str = Field(description="the case's page in the portal")


class CaseDetail(CaseSummary):
    description: str
    resolved: datetime | None
    merged_into: str | None = Field(description="the case this one was merged into")
    events: list[Event] = Field(description="the public timeline, oldest first")


class CaseIn(Schema):
    subject: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=TEXT_MAX)
    severity: Literal["critical", "non_critical"] = "non_critical"
    category: Literal["bug", "configuration", "information"] = "bug"
    callback_phone: str = Field("", max_length=40, description="critical cases only: call me back on this number")


class ReplyIn(Schema):
    body: str = Field(min_length=1, max_length=TEXT_MAX)


class RejectIn(Schema):
    reason: str = Field(min_length=1, max_length=TEXT_MAX)


class Listing(Schema):
    target: str
    target_kind: str
    blocklist: str
    zone: str
    listed: bool | None = Field(description="null: the last answers were not conclusive")
    result: str
    codes: list[str]
    listed_since: datetime | None
    checked: datetime


class ListingEventOut(Schema):
    target: str
    blocklist: str
    kind: Literal["listed", "delisted"]
    codes: list[str]
    at: datetime


class Finding(Schema):
    subject: str = Field(description="the domain or IP checked")
    check: str
    status: str
    title: str
    detail: str
    fix: str
    regression: bool


class AuthenticationOut(Schema):
    checked: datetime | None
    findings: list[Finding]


class Actual(Schema):
    day: date
    provider: str
    sent: int
    delivered: int
    bounced: int
    complaints: int
    deferrals: int


class Plan(Schema):
    id: int
    name: str
    template: str
    status: str
    start_date: date
    target_daily: int
    notes: str


class PlanDetail(Plan):
    actuals: list[Actual]


class Incident(Schema):
    start: datetime
    end: datetime
    unavailable_seconds: int
    channels: list[str]


class Month(Schema):
    month: str = Field(description="YYYY-MM")
    no_data: bool
    availability_pct: float | None
    target_pct: float
    unavailable_seconds: int
    budget_left_seconds: float
    incidents: list[Incident]


class Mapped:
    """A queryset whose rows are turned into answers only for the page asked: ninja's pager slices and counts
    it in the database (a ``LIMIT``/``OFFSET`` and one ``COUNT``), never the whole account in Python."""

    def __init__(self, queryset, row):
        self.queryset, self.row = queryset, row

    def all(self):
        return self

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, window: slice) -> list:
        return [self.row(item) for item in self.queryset[window]]
