"""Canned replies (issue 15; MISSION NC-2, NC-4): kept by staff in the console and the Django admin through
these services, each change audited; filled from a case for the reply form."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.audit import audit
from accounts.models import AuditEvent, User
from cases import macros
from cases.models import CannedReply, Case

MACRO_PERMISSIONS = ("cases.add_cannedreply", "cases.change_cannedreply", "cases.delete_cannedreply")


def can_manage_macros(user: User) -> bool:
    """Canned replies belong to no account: every member of staff whose role grants it keeps them (as the rota)."""
    return bool(user.is_active and user.is_staff and user.has_perms(MACRO_PERMISSIONS))


def _details(reply: CannedReply) -> dict:
    return {"name": reply.name, "active": reply.active}


@transaction.atomic
def canned_reply_save(*, reply: CannedReply, actor: User, changed: list[str] | None = None) -> CannedReply:
    """Add a canned reply, or save one a form changed (``changed``: the fields it changed). An unknown
    placeholder is a ``ValidationError`` on its text (``CannedReply.clean``)."""
    if not can_manage_macros(actor):
        raise PermissionDenied
    added = reply.pk is None
    if added:
        reply.created_by = actor
    reply.full_clean()
    reply.save()
    kind = AuditEvent.Kind.CANNED_REPLY_ADDED if added else AuditEvent.Kind.CANNED_REPLY_CHANGED
    extra = {} if added else {"changed": list(changed or [])}
    audit(actor=actor, account=None, kind=kind, target=reply, **_details(reply), **extra)
    return reply


@transaction.atomic
def canned_reply_remove(*, reply: CannedReply, actor: User) -> None:
    if not can_manage_macros(actor):
        raise PermissionDenied
    audit(actor=actor, account=None, kind=AuditEvent.Kind.CANNED_REPLY_REMOVED, target=reply, **_details(reply))
    reply.delete()


def case_language(case: Case) -> str:
    """The language the customer reads the case in: the reporter's, else the site's."""
    language = case.reporter.language if case.reporter_id else ""
    return language or settings.LANGUAGE_CODE


def placeholder_values(case: Case, agent: User) -> dict[str, str]:
    reporter = case.reporter.full_name if case.reporter_id else ""
    tam = case.account.primary_tam
    return {
        "customer_name": reporter or case.contact_name,
        "case_number": case.number,
        "case_subject": str(case.subject),
        "tam_name": tam.full_name if tam is not None else "",
        "agent_name": agent.full_name,
        "account": case.account.name,
    }


def canned_reply_text(*, reply: CannedReply, case: Case, agent: User, language: str | None = None) -> str:
    """The reply in the case's language (or ``language``), filled for ``case``. A text saved before its
    placeholders were checked keeps an unknown one as it was written rather than failing."""
    text = reply.body_for(language or case_language(case))
    return macros.fill(text, placeholder_values(case, agent), strict=False)
