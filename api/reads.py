"""``/api/v1`` reads of the account's deliverability, warm-up and availability (issue 20; MISSION: DLV-1, DLV-2,
TAM-3, AV-1). Each reads through the tenant rule (``visible_to`` of the token's maker, then the token's account)
and the app's own queryset methods: the figures are the pages' figures."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Path, Router
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from availability import reports
from deliverability.models import AuthFinding, AuthRun, ListingEvent, ListingStatus
from planning.models import WarmupPlan

from .auth import caller
from .schemas import AuthenticationOut, Listing, ListingEventOut, Mapped, Month, Plan, PlanDetail, answers

router = Router()


def _status(s) -> dict:
    return {
        "target": s.target.value,
        "target_kind": s.target.kind,
        "blocklist": s.blocklist.name,
        "zone": s.blocklist.zone,
        "listed": s.listed,
        "result": s.result,
        "codes": [str(c) for c in s.codes or []],
        "listed_since": s.listed_since,
        "checked": s.checked_at,
    }


@router.get(
    "/blocklists/status",
    response=answers({200: list[Listing]}),
    tags=["deliverability"],
    url_name="blocklist-status",
    summary="Every monitored address and domain on every list, as last checked",
)
@paginate(LimitOffsetPagination)
def blocklist_status(request):
    token, person = caller(request, "deliverability:read")
    rows = (
        ListingStatus.objects.visible_to(person)
        .of(token.account)
        .filter(blocklist__enabled=True, target__archived_at__isnull=True)
        .select_related("target", "blocklist")
        .order_by("target__sort_key", "blocklist__zone")
    )
    return Mapped(rows, _status)


def _event(e) -> dict:
    codes = [str(c) for c in e.codes or []]
    return {"target": e.target.value, "blocklist": e.blocklist.name, "kind": e.kind, "codes": codes, "at": e.at}


@router.get(
    "/blocklists/events",
    response=answers({200: list[ListingEventOut]}),
    tags=["deliverability"],
    url_name="blocklist-events",
    summary="Listings and delistings, newest first",
)
@paginate(LimitOffsetPagination)
def blocklist_events(request):
    token, person = caller(request, "deliverability:read")
    events = ListingEvent.objects.visible_to(person).filter(account=token.account).select_related("target", "blocklist")
    return Mapped(events.order_by("-at", "-id"), _event)


@router.get(
    "/authentication",
    response=answers({200: AuthenticationOut}),
    tags=["deliverability"],
    url_name="authentication",
    summary="The latest sender-authentication findings, worst first",
)
def authentication(request):
    token, person = caller(request, "deliverability:read")
    run = AuthRun.objects.visible_to(person).last_finished(token.account)
    findings = AuthFinding.objects.filter(run=run).worst_first() if run else []
    return {
        "checked": run.finished_at if run else None,
        "findings": [
            {
                "subject": f.subject,
                "check": f.kind,
                "status": f.status,
                "title": f.text("title"),
                "detail": f.text("detail"),
                "fix": f.text("fix"),
                "regression": f.regression,
            }
            for f in findings
        ],
    }


def _plans(request):
    token, person = caller(request, "planning:read")
    return WarmupPlan.objects.visible_to(person).filter(account=token.account)


def _plan(plan: WarmupPlan) -> dict:
    return {
        "id": plan.pk,
        "name": plan.name,
        "template": plan.template,
        "status": plan.status,
        "start_date": plan.start_date,
        "target_daily": plan.target_daily,
        "notes": plan.notes,
    }


@router.get(
    "/warmup/plans",
    response=answers({200: list[Plan]}),
    tags=["warm-up"],
    url_name="warmup-plans",
    summary="Warm-up plans",
)
@paginate(LimitOffsetPagination)
def warmup_plans(request):
    return Mapped(_plans(request).order_by("-start_date", "-id"), _plan)


@router.get(
    "/warmup/plans/{plan_id}",
    response=answers({200: PlanDetail}, 404),
    tags=["warm-up"],
    url_name="warmup-plan",
    summary="A warm-up plan with its daily figures",
)
def warmup_plan(request, plan_id: int):
    plan = get_object_or_404(_plans(request), pk=plan_id)
    actuals = plan.actuals.order_by("day", "provider").values(
        "day", "provider", "sent", "delivered", "bounced", "complaints", "deferrals"
    )
    return _plan(plan) | {"actuals": list(actuals)}


def _month(account, year: int, month: int) -> dict:
    r = reports.report(account, year, month)
    return {
        "month": f"{r.year:04d}-{r.month:02d}",
        "no_data": r.no_data,
        "availability_pct": None if r.no_data else round(r.availability_pct, 6),
        "target_pct": r.target_pct,
        "unavailable_seconds": r.unavailable,
        "budget_left_seconds": round(r.budget_left_seconds, 3),
        "incidents": [
            {
                "start": i.started_at,
                "end": i.ended_at,
                "unavailable_seconds": i.unavailable,
                "channels": i.channel_names,
            }
            for i in r.incidents
        ],
    }


@router.get(
    "/availability/months/{month}",
    response=answers({200: Month}, 400),
    tags=["availability"],
    url_name="availability-month",
    summary="A month's availability (AV-1) and its incidents",
)
def availability_month(request, month: str = Path(..., pattern=r"^\d{4}-\d{2}$", examples=["2026-11"])):
    token, _person = caller(request, "availability:read")
    year, number = int(month[:4]), int(month[5:])
    first = date(year, number, 1) if 1 <= number <= 12 and year >= 2000 else None
    if first is None:
        raise HttpError(400, "month is YYYY-MM, from 2000-01")
    if first > timezone.now().date():
        raise HttpError(400, "that month has not begun")
    return _month(token.account, year, number)
