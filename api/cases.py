"""``/api/v1/cases``: the customer's cases through a token (issue 20; MISSION: NC-1, NC-3, NC-5, CR-1, CR-5).

Reads and writes act as the token's maker (``api.auth.caller``) through the same services as the portal's
forms: the same rules, clocks, notifications and audit. Only the public timeline is ever sent. A case of
another account is a 404 like a missing one. Creates take an ``Idempotency-Key`` header (one case, one
reply, however often a client retries)."""

import hashlib
import re
from datetime import datetime
from typing import Literal

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import resolve, reverse
from ninja import Field, Header, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import field_validator

from cases.models import Case, CaseEvent
from cases.services import (
    CaseStateError,
    case_accept_resolution,
    case_open,
    case_reject_resolution,
    case_reply,
)
from core.idempotency import KeyReused, once_for
from core.text import render

from .auth import caller
from .schemas import CaseDetail, CaseIn, CaseSummary, Event, Mapped, RejectIn, ReplyIn, answers

router = Router(tags=["cases"])
KEY_MAX = 64
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$")
CASE_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,32}$")


class CaseFilter(Schema):
    status: Literal["open", "resolved", "any"] = "any"
    severity: Literal["critical", "non_critical"] | None = None
    updated_since: datetime | None = Field(None, description="ISO 8601 with an offset, e.g. 2026-12-01T00:00:00Z")

    @field_validator("updated_since", mode="before")
    @classmethod
    def iso_only(cls, value):
        """A time is written as a date and time; a bare number is not taken for seconds since 1970."""
        if isinstance(value, str):  # a "+01:00" offset unescaped in a query string arrives as " 01:00"
            value = re.sub(r" (\d{2}:?\d{2})$", r"+\1", value)
        if isinstance(value, str) and not ISO_TIME.match(value):
            raise ValueError("write the time as ISO 8601, e.g. 2026-12-01T00:00:00Z")
        return value


def _cases(request, write=False):
    """The account's cases as the token's maker sees them; a merged case too (it says where it went)."""
    token, person = caller(
        request, "cases:write" if write else "cases:read", "case.work" if write else "account.view", write=write
    )
    return Case.objects.visible_to(person).filter(account=token.account), person


def _case(request, number: str, write=False):
    cases, person = _cases(request, write)
    if not CASE_NUMBER.match(number):  # no case number has other characters: as unknown as a missing one
        raise Http404
    return get_object_or_404(cases.select_related("account", "merged_into"), number=number.upper()), person


def _summary(case: Case) -> dict:
    return {
        "number": case.number,
        "subject": render(case.subject),
        "status": case.status,
        "status_label": case.get_status_display(),
        "severity": case.severity,
        "category": case.category,
        "created": case.created_at,
        "updated": case.updated_at,
        "next_deadline": case.next_deadline_at,
        "url": case.get_absolute_url(),
    }


def _event(event: CaseEvent) -> dict:
    author = event.actor.full_name if event.actor_id else (event.details or {}).get("from_address", "") or "portal"
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": event.get_kind_display(),
        "author": author,
        "text": render(event.text) if not isinstance(event.text, str) else event.text,
        "created": event.created_at,
    }


def _detail(case: Case) -> dict:
    events = case.events.filter(public=True).select_related("actor").order_by("created_at", "id")
    merged = case.merged_into.number if case.merged_into_id else None
    return _summary(case) | {
        "description": case.description,
        "resolved": case.resolved_at,
        "merged_into": merged,
        "events": [_event(e) for e in events],
    }


def _key(value: str | None) -> str | None:
    if value is not None and not (0 < len(value) <= KEY_MAX and value.isprintable()):
        raise HttpError(400, f"Idempotency-Key is 1 to {KEY_MAX} printable characters")
    return value


def _once(request, key: str | None, person, create, result):
    """Run ``create()`` once per ``Idempotency-Key`` of this token (None: no key, run it). The same key again
    with the same request answers the first result; with another operation or body, a 422."""
    if _key(key) is None:
        with transaction.atomic():
            return None, create()
    body = hashlib.sha256(request.body or b"").hexdigest()[:32]
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    try:
        return once_for(
            f"api:{request.auth.pk}:{digest}",
            user=person,
            path=f"{request.method} {request.path} {body}",
            create=create,
            result=result,
            strict=True,
        ), None
    except KeyReused:
        raise HttpError(422, "this Idempotency-Key was sent before with another request") from None


def _refused(error: CaseStateError):
    raise HttpError(409, " ".join(str(m) for m in getattr(error, "messages", [error])))


@router.get("/cases", response=answers({200: list[CaseSummary]}), url_name="cases", summary="List cases, newest first")
@paginate(LimitOffsetPagination)
def list_cases(request, filters: Query[CaseFilter]):
    cases, _person = _cases(request)
    if filters.status == "open":
        cases = cases.open()
    elif filters.status == "resolved":
        cases = cases.filter(status=Case.Status.RESOLVED)
    if filters.severity:
        cases = cases.filter(severity=filters.severity)
    if filters.updated_since:
        cases = cases.filter(updated_at__gte=filters.updated_since)
    return Mapped(cases.select_related("account").order_by("-created_at", "-id"), _summary)


@router.get("/cases/{number}", response=answers({200: CaseDetail}, 404), url_name="case", summary="Read a case")
def read_case(request, number: str):
    case, _person = _case(request, number)
    return _detail(case)


@router.get(
    "/cases/{number}/events/{event_id}",
    response=answers({200: Event}, 404),
    url_name="case-event",
    summary="Read one event of a case's public timeline",
)
def read_event(request, number: str, event_id: int):
    case, _person = _case(request, number)
    return _event(get_object_or_404(case.events.filter(public=True).select_related("actor"), pk=event_id))


@router.post(
    "/cases",
    response=answers({201: CaseDetail, 200: CaseDetail}, 400, 409),
    url_name="case-open",
    summary="Open a case",
)
def open_case(request, payload: CaseIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    token, person = caller(request, "cases:write", "case.work", write=True)
    critical = payload.severity == Case.Severity.CRITICAL

    def create():
        return case_open(
            account=token.account,
            actor=person,
            subject=payload.subject,
            description=payload.description,
            severity=payload.severity,
            category=payload.category,
            channel=Case.Channel.PORTAL,
            callback_requested=critical and bool(payload.callback_phone.strip()),
            contact_phone=payload.callback_phone,
        )

    try:
        outcome, case = _once(
            request, idempotency_key, person, create, lambda case: reverse("api-1:case", kwargs={"number": case.number})
        )
    except CaseStateError as error:
        _refused(error)
    if outcome is not None:
        case, _person = _case(request, resolve(outcome.url).kwargs["number"])
    return Status(200 if outcome is not None and outcome.repeat else 201, _detail(case))


@router.post(
    "/cases/{number}/replies",
    response=answers({201: Event, 200: Event}, 400, 404, 409),
    url_name="case-reply",
    summary="Reply on a case",
)
def reply(request, number: str, payload: ReplyIn, idempotency_key: str | None = Header(None, alias="Idempotency-Key")):
    case, person = _case(request, number, write=True)

    def create():
        return case_reply(case=case, actor=person, body=payload.body)

    try:
        outcome, event = _once(
            request,
            idempotency_key,
            person,
            create,
            lambda e: reverse("api-1:case-event", kwargs={"number": case.number, "event_id": e.pk}),
        )
    except CaseStateError as error:
        _refused(error)
    if outcome is not None:
        event_id = resolve(outcome.url).kwargs["event_id"]
        event = CaseEvent.objects.filter(case=case, public=True, pk=event_id).select_related("actor").get()
    return Status(200 if outcome is not None and outcome.repeat else 201, _event(event))


@router.post(
    "/cases/{number}/accept",
    response=answers({200: CaseDetail}, 404, 409),
    url_name="case-accept",
    summary="Accept the proposed resolution",
)
def accept(request, number: str):
    case, person = _case(request, number, write=True)
    try:
        case_accept_resolution(case=case, actor=person)
    except CaseStateError as error:
        _refused(error)
    return _detail(_case(request, number)[0])


@router.post(
    "/cases/{number}/reject",
    response=answers({200: CaseDetail}, 400, 404, 409),
    url_name="case-reject",
    summary="Reject the proposed resolution, with the reason",
)
def reject(request, number: str, payload: RejectIn):
    case, person = _case(request, number, write=True)
    try:
        case_reject_resolution(case=case, actor=person, reason=payload.reason)
    except CaseStateError as error:
        _refused(error)
    return _detail(_case(request, number)[0])
