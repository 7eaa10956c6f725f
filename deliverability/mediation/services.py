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
from deliverability.blocklists.dnsbl import registered_domain
from deliverability.mediation.providers import GMAIL_SPAM_CEILING, form_for
from deliverability.models import AuthFinding, AuthRun, ListingStatus, MediationRequest

AUTH_KINDS = ("spf", "dkim", "dmarc", "alignment", "fcrdns")
COMPLAINT_LIMIT = 0.1  # percent
MAX_NOTE = 2000  # characters of a note, a comment or one item to carry out
MAX_RESPONSE = 5000
MAX_ITEMS = 20
Status = MediationRequest.Status
NEXT = {
    Status.SUBMITTED: {Status.RESPONDED, Status.RESOLVED, Status.NOT_RESOLVED},
    Status.RESPONDED: {Status.RESOLVED, Status.NOT_RESOLVED},
}
RETURNABLE = (Status.SUBMITTED, Status.RESPONDED)


def in_scope(request: MediationRequest, subject: str) -> bool:
    """Is a finding's subject one of the request's IPs, or a domain of an affected domain's organisation
    (the bounce domain ``bounce.acme.example`` belongs to ``acme.example``)? Issue 16: the preconditions cover
    only what the request is about."""
    if subject in request.ips:
        return True
    organisations = {registered_domain(domain) for domain in request.domains}
    return "." in subject and not subject.replace(".", "").isdigit() and registered_domain(subject) in organisations


def preconditions(request: MediationRequest) -> list[dict]:
    """Each precondition: key, ok (True / False / None = not known), detail, open items; only the request's
    affected IPs and domains count (MISSION: DLV-3)."""
    return [
        _authentication(request),
        _listings(request),
        _warmup(request.account),
        _complaints(request),
        *_enrolment(request),
    ]


def _authentication(request: MediationRequest) -> dict:
    run = AuthRun.objects.last_finished(request.account)
    if run is None:
        return {"key": "authentication", "ok": None, "detail": _("Not checked yet."), "open": []}
    findings = run.findings.filter(kind__in=AUTH_KINDS, status=AuthFinding.Status.FAIL).order_by("subject", "kind")
    failing = [f for f in findings if in_scope(request, f.subject)]
    return {
        "key": "authentication",
        "ok": not failing,
        "detail": _("All authentication checks pass.") if not failing else "",
        "open": [f"{f.subject}: {f.text('title')}" for f in failing],
    }


def _listings(request: MediationRequest) -> dict:
    chosen = set(request.ips) | set(request.domains)
    listed = ListingStatus.objects.of(request.account).listed().on_key_lists().filter(target__value__in=chosen)
    listed = list(listed.select_related("target", "blocklist").order_by("target__value", "blocklist__name"))
    return {
        "key": "listings",
        "ok": not listed,
        "detail": _("No current listing on lists used by major mailbox providers.") if not listed else "",
        "open": [f"{s.target.value}: {s.blocklist.name}" for s in listed],
    }


def _warmup(account) -> dict:
    source = getattr(settings, "MEDIATION_WARMUP_SOURCE", "")
    if source:  # planning says whether the warm-up plan was followed (callable account -> ok/detail/open)
        return {"key": "warmup", **import_string(source)(account)}
    detail = _("Your TAM confirms that the warm-up plan was followed.")
    return {"key": "warmup", "ok": None, "detail": detail, "open": []}


def _complaints(request: MediationRequest) -> dict:
    """The complaint rate the customer gives; for Gmail, Postmaster Tools' spam rate, where 0.30% or more
    means Gmail offers no mitigation at all (facts: reputation.md)."""
    rate = request.complaint_rate if request.complaint_rate is not None else request.spam_rate
    if rate is None:
        return {"key": "complaints", "ok": None, "open": [],
                "detail": _("Not known: give the complaint rate if you have it.")}  # fmt: skip
    items = []
    if float(rate) >= COMPLAINT_LIMIT:
        items.append(_("Complaint rate %(rate)s%% is at or above 0.1%%.") % {"rate": rate})
    if request.spam_rate is not None and float(request.spam_rate) >= GMAIL_SPAM_CEILING:
        items.append(
            _("Gmail spam rate %(rate)s%% is at or above 0.3%%: Gmail offers no mitigation until it is lower.")
            % {"rate": request.spam_rate}
        )
    return {"key": "complaints", "ok": not items, "detail": f"{rate}%", "open": items}


def _enrolment(request: MediationRequest) -> list[dict]:
    """The provider's own programmes (Microsoft SNDS and JMRP, Yahoo's CFL): its form asks about them."""
    programmes = form_for(request.provider).enrolment
    if not programmes:
        return []
    missing = [str(label) for field, label in programmes if not getattr(request, field)]
    return [
        {
            "key": "enrolment",
            "ok": not missing,
            "detail": _("Enrolled.") if not missing else "",
            "open": [_("Enrol in %(programme)s.") % {"programme": name} for name in missing],
        }
    ]


def open_recommendations(rows: list[dict]) -> list[str]:
    return [item for row in rows for item in row["open"]]


def provider_text(request: MediationRequest) -> str:
    """The text the TAM sends to the mailbox provider (in English, as their forms are): plain text, with the
    customer's words verbatim (``<message-id@host>`` included). It is not HTML: a page escapes it once.

    Issue 16: it states only what is true of the affected IPs and domains (the preconditions that pass,
    worked out again here in English); the open recommendations are between the customer and the TAM and
    never reach the provider."""
    with translation.override("en"):
        done = [row["key"] for row in preconditions(request) if row["ok"] is True]
        text = render_to_string(
            "deliverability/mediation/provider.txt",
            {
                "req": request,
                "done": done,
                "form": form_for(request.provider),
                "portal": settings.PORTAL_NAME,
                "tam": request.account.primary_tam,
            },
        )
    # render_to_string marks what it returns as safe HTML, which this autoescape-off text is not; a plain
    # str drops the mark, so ``{{ text }}`` escapes it (``str(text)`` would keep the SafeString).
    return str.__str__(text)


def _check_access(request: MediationRequest, actor: User) -> None:
    """The views answer 404 first; this guards every other caller (the rule: ``mediation.work``)."""
    if not can(actor, "mediation.work", request.account):
        raise ValidationError(_("This mediation request is not yours to change."))


def _bounded(text: str, limit: int = MAX_NOTE) -> str:
    text = (text or "").strip()
    if len(text) > limit:
        raise ValidationError(
            _("Keep it under %(limit)s characters (this is %(n)s).") % {"limit": limit, "n": len(text)}
        )
    return text


def _log(request: MediationRequest, actor: User | None, status: str, **details) -> AuditEvent:
    """The request's history is its audit trail: one row per step, read back by ``MediationRequest.history``."""
    return audit(
        actor=actor,
        account=request.account,
        kind=AuditEvent.Kind.MEDIATION_CHANGED,
        target=request,
        status=status,
        **details,
    )


def _locked(request: MediationRequest, actor: User) -> MediationRequest:
    locked = MediationRequest.objects.select_for_update().get(pk=request.pk)
    _check_access(locked, actor)
    return locked


@transaction.atomic
def mediation_save(*, request: MediationRequest, actor: User) -> MediationRequest:
    """A draft written or changed, or a returned request corrected before it is submitted again."""
    _check_access(request, actor)
    if not request.is_editable:
        raise ValidationError(_("A submitted request can no longer be changed."))
    request.full_clean(exclude=["account", "created_by", "acknowledged_by"])
    created = request.pk is None
    if created:
        request.created_by = actor
    request.save()
    if created:
        _log(request, actor, Status.DRAFT)
    return request


@transaction.atomic
def mediation_submit(*, request: MediationRequest, actor: User, acknowledged: bool) -> MediationRequest:
    """Submit to the TAM (again, after a return); the customer first acknowledges the open recommendations
    and DLV-4."""
    request = _locked(request, actor)
    if not request.is_editable:
        raise ValidationError(_("This request was already submitted."))
    if not acknowledged:
        raise ValidationError(_("Tick the acknowledgement to submit the request."))
    rows = preconditions(request)
    now = timezone.now()
    request.preconditions = {"rows": rows, "open": open_recommendations(rows), "checked_at": now.isoformat()}
    request.status, request.submitted_at = Status.SUBMITTED, now
    request.acknowledged_by, request.acknowledged_at = actor, now
    request.save()
    event = _log(request, actor, request.status)
    _notify(request, event, to_staff=True)
    return request


@transaction.atomic
def mediation_set_status(*, request: MediationRequest, actor: User, status: str, note: str = "", response: str = ""):
    """The TAM moves the request along: the provider responded, it was resolved, or it was not. The note is
    in the customer's email."""
    request = _locked(request, actor)
    note, response = _bounded(note), _bounded(response, MAX_RESPONSE)
    if status not in Status.values:
        raise ValidationError(_("Choose what happened."))
    if status not in NEXT.get(request.status, set()):
        raise ValidationError(
            _("A request that is “%(now)s” cannot become “%(next)s”.")
            % {"now": request.get_status_display(), "next": Status(status).label}
        )
    request.status = status
    if response:
        request.provider_response = response
    request.save()
    event = _log(request, actor, status, note=note)
    _notify(request, event, to_staff=False)
    return request


@transaction.atomic
def mediation_return(*, request: MediationRequest, actor: User, items: list[str], note: str = "") -> MediationRequest:
    """MISSION: DLV-3 — mediation follows the best-practice recommendations: the TAM hands the request back
    with what to carry out first; the customer corrects it and submits it again."""
    request = _locked(request, actor)
    if not actor.is_staff:
        raise ValidationError(_("This mediation request is not yours to change."))
    if request.status not in RETURNABLE:
        raise ValidationError(_("Only a submitted request can be returned."))
    items = [_bounded(item) for item in dict.fromkeys(i.strip() for i in items) if item]
    if not items:
        raise ValidationError(_("Say what the customer should carry out first."))
    if len(items) > MAX_ITEMS:
        raise ValidationError(_("Name at most %(n)s things to carry out first.") % {"n": MAX_ITEMS})
    request.status, request.returned_items = Status.RETURNED, items
    request.save(update_fields=["status", "returned_items"])
    event = _log(request, actor, request.status, note=_bounded(note), items=items)
    _notify(request, event, to_staff=False)
    return request


@transaction.atomic
def mediation_withdraw(*, request: MediationRequest, actor: User, note: str = "") -> MediationRequest:
    """The customer no longer needs it (mail flows again, or they chose otherwise); the TAMs are told."""
    request = _locked(request, actor)
    if request.status not in MediationRequest.WITHDRAWABLE:
        raise ValidationError(_("Only a submitted or returned request can be withdrawn."))
    request.status = Status.WITHDRAWN
    request.save(update_fields=["status"])
    event = _log(request, actor, request.status, note=_bounded(note))
    _notify(request, event, to_staff=True)
    return request


@transaction.atomic
def mediation_delete(*, request: MediationRequest, actor: User) -> None:
    """A draft nobody has seen yet goes away; its audit rows stay on the account's trail."""
    request = _locked(request, actor)
    if request.status != Status.DRAFT:
        raise ValidationError(_("Only a draft can be deleted; withdraw a submitted request instead."))
    _log(request, actor, "deleted")
    request.delete()


@transaction.atomic
def mediation_comment(*, request: MediationRequest, actor: User, text: str) -> MediationRequest:
    """A comment on the request's history: the customer's goes to the TAMs, the TAM's to the customer."""
    request = _locked(request, actor)
    text = _bounded(text)
    if not text:
        raise ValidationError(_("Write the comment first."))
    if request.status == Status.DRAFT:
        raise ValidationError(_("Comment once the request is submitted; until then, edit the draft."))
    event = _log(request, actor, request.status, comment=text)
    _notify(request, event, to_staff=not actor.is_staff)
    return request


def _notify(request: MediationRequest, event: AuditEvent, *, to_staff: bool) -> None:
    """What the customer did goes to the account's TAMs; what happened next to the customer: whoever asked,
    the account's admins and its alert contacts (``MediationRequest.customer_recipients``). One email per
    step (the audit row names the step), with the TAM's note, comment or list in it."""
    if to_staff:
        people = request.account.active_tams()
        path = reverse("staff-mediation", kwargs={"pk": request.pk})
    else:
        people = request.customer_recipients()
        path = request.get_absolute_url()
    details = event.details
    notify(
        kind="mediation." + ("comment" if details.get("comment") else request.status),
        recipients=people,
        template="deliverability/mediation/email",
        context={
            "req": request,
            "staff": to_staff,
            "note": details.get("note", ""),
            "comment": details.get("comment", ""),
            "items": details.get("items", []),
            "by": event.actor.get_full_name() if event.actor else "",
        },
        link=path,
        account=request.account,
        reference=f"mediation-{request.pk}",
        dedupe=f"mediation:{request.pk}:event:{event.pk}:{'staff' if to_staff else 'customer'}",
    )
