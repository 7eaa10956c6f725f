"""Tier 1 ISP mediation: the standard form's preconditions, the provider-ready text, and its life.

MISSION: DLV-3 (mediation on the customer's behalf once the best-practice recommendations are done),
DLV-4 (no Tier 2 mediation or strategy; inbox placement cannot be guaranteed). The preconditions come
from the portal's own data: the last authentication check, current listings on key lists, the complaint
rate the customer gives. Warm-up plans arrive with the planning issue; until then the TAM confirms it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from accounts.access import can
from accounts.audit import audit
from accounts.models import AuditEvent, User
from accounts.notify import notify
from deliverability.models import AuthFinding, AuthRun, ListingStatus, MediationRequest

AUTH_KINDS = ("spf", "dkim", "dmarc", "alignment", "fcrdns")
COMPLAINT_LIMIT = 0.1  # percent
NEXT = {
    MediationRequest.Status.SUBMITTED: {MediationRequest.Status.RESPONDED, MediationRequest.Status.RESOLVED,
                                       MediationRequest.Status.NOT_RESOLVED},
    MediationRequest.Status.RESPONDED: {MediationRequest.Status.RESOLVED, MediationRequest.Status.NOT_RESOLVED},
}  # fmt: skip


def preconditions(request: MediationRequest) -> list[dict]:
    """Each precondition: key, label, ok (True / False / None = not known), detail, open items."""
    account = request.account
    rows = []
    run = AuthRun.objects.last_finished(account)
    if run is None:
        rows.append({"key": "authentication", "ok": None, "detail": _("Not checked yet."), "open": []})
    else:
        subjects = set(request.domains) | set(request.ips)
        failing = [
            f for f in run.findings.filter(kind__in=AUTH_KINDS, status=AuthFinding.Status.FAIL)
            if f.kind != "fcrdns" or f.subject in subjects
        ]  # fmt: skip
        rows.append(
            {
                "key": "authentication",
                "ok": not failing,
                "detail": _("All authentication checks pass.") if not failing else "",
                "open": [f"{f.subject}: {f.text('title')}" for f in failing],
            }
        )
    listed = ListingStatus.objects.of(account).listed().on_key_lists()
    chosen = set(request.ips) | set(request.domains)
    listed = [s for s in listed.select_related("target", "blocklist") if not chosen or s.target.value in chosen]
    rows.append(
        {
            "key": "listings",
            "ok": not listed,
            "detail": _("No current listing on lists used by major mailbox providers.") if not listed else "",
            "open": [f"{s.target.value}: {s.blocklist.name}" for s in listed],
        }
    )
    source = getattr(settings, "MEDIATION_WARMUP_SOURCE", "")
    if source:  # planning says whether the warm-up plan was followed (callable account -> ok/detail/open)
        rows.append({"key": "warmup", **import_string(source)(account)})
    else:
        rows.append(
            {
                "key": "warmup",
                "ok": None,
                "detail": _("Your TAM confirms that the warm-up plan was followed."),
                "open": [],
            }
        )
    rate = request.complaint_rate
    rows.append(
        {
            "key": "complaints",
            "ok": None if rate is None else float(rate) < COMPLAINT_LIMIT,
            "detail": _("Not known: give the complaint rate if you have it.") if rate is None else f"{rate}%",
            "open": [_("Complaint rate %(rate)s%% is at or above 0.1%%.") % {"rate": rate}]
            if rate is not None and float(rate) >= COMPLAINT_LIMIT
            else [],
        }
    )
    return rows


def open_recommendations(rows: list[dict]) -> list[str]:
    return [item for row in rows for item in row["open"]]


def provider_text(request: MediationRequest) -> str:
    """The text the TAM sends to the mailbox provider (in English, as their forms are): plain text, with the
    customer's words verbatim (``<message-id@host>`` included). It is not HTML: a page escapes it once."""
    with translation.override("en"):
        rows = request.preconditions.get("rows") or preconditions(request)
        text = render_to_string(
            "deliverability/mediation/provider.txt",
            {"req": request, "rows": rows, "portal": settings.PORTAL_NAME, "tam": request.account.primary_tam},
        )
    # render_to_string marks what it returns as safe HTML, which this autoescape-off text is not; a plain
    # str drops the mark, so ``{{ text }}`` escapes it (``str(text)`` would keep the SafeString).
    return str.__str__(text)


def _check_access(request: MediationRequest, actor: User) -> None:
    """The views answer 404 first; this guards every other caller (the rule: ``mediation.work``)."""
    if not can(actor, "mediation.work", request.account):
        raise ValidationError(_("This mediation request is not yours to change."))


def _log(request: MediationRequest, actor: User | None, status: str, note: str = "") -> None:
    """The request's history is its audit trail: one row per step, read back by ``MediationRequest.history``."""
    audit(
        actor=actor,
        account=request.account,
        kind=AuditEvent.Kind.MEDIATION_CHANGED,
        target=request,
        status=status,
        note=note,
    )


@transaction.atomic
def mediation_save(*, request: MediationRequest, actor: User) -> MediationRequest:
    _check_access(request, actor)
    if request.status != MediationRequest.Status.DRAFT:
        raise ValidationError(_("A submitted request can no longer be changed."))
    created = request.pk is None
    if created:
        request.created_by = actor
    request.save()
    if created:
        _log(request, actor, MediationRequest.Status.DRAFT)
    return request


@transaction.atomic
def mediation_submit(*, request: MediationRequest, actor: User, acknowledged: bool) -> MediationRequest:
    """Submit to the TAM; the customer first acknowledges the open recommendations and DLV-4."""
    request = MediationRequest.objects.select_for_update().get(pk=request.pk)
    _check_access(request, actor)
    if request.status != MediationRequest.Status.DRAFT:
        raise ValidationError(_("This request was already submitted."))
    if not acknowledged:
        raise ValidationError(_("Tick the acknowledgement to submit the request."))
    rows = preconditions(request)
    now = timezone.now()
    request.preconditions = {"rows": rows, "open": open_recommendations(rows), "checked_at": now.isoformat()}
    request.status, request.submitted_at = MediationRequest.Status.SUBMITTED, now
    request.acknowledged_by, request.acknowledged_at = actor, now
    request.save()
    _log(request, actor, request.status)
    _notify(request, staff=True)
    return request


@transaction.atomic
def mediation_set_status(*, request: MediationRequest, actor: User, status: str, note: str = "", response: str = ""):
    """The TAM moves the request along: the provider responded, it was resolved, or it was not."""
    request = MediationRequest.objects.select_for_update().get(pk=request.pk)
    _check_access(request, actor)
    if status not in MediationRequest.Status.values:
        raise ValidationError(_("Choose what happened."))
    if status not in NEXT.get(request.status, set()):
        raise ValidationError(
            _("A request that is “%(now)s” cannot become “%(next)s”.")
            % {"now": request.get_status_display(), "next": MediationRequest.Status(status).label}
        )
    request.status = status
    if response:
        request.provider_response = response
    request.save()
    _log(request, actor, status, note)
    _notify(request, staff=False)
    return request


def _notify(request: MediationRequest, *, staff: bool) -> None:
    """A submitted request goes to the account's TAMs; what happened next to the customer who asked."""
    if staff:
        people = request.account.active_tams()
        path = reverse("staff-mediation", kwargs={"pk": request.pk})
    else:
        people = [request.created_by] if request.created_by and request.created_by.is_active else []
        path = request.get_absolute_url()
    notify(
        kind="mediation." + request.status,
        recipients=people,
        template="deliverability/mediation/email",
        context={"req": request, "staff": staff},
        link=path,
        account=request.account,
        reference=f"mediation-{request.pk}",
        dedupe=f"mediation:{request.pk}:{request.status}:{'staff' if staff else 'customer'}",
    )
