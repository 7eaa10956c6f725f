"""The customer's data rights (issue 18), as services: an account's data export for its admin (GDPR Art. 20)
and the erasure of one of its people by the TAM (Art. 17). Both are audited; both live here because they
reach into every app (``<app>/export.py``, ``accounts/erasure.py``, ``cases/erasure.py``)."""

import logging
import secrets
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import erasure as account_erasure
from accounts.access import can
from accounts.audit import audit
from accounts.models import Account, AuditEvent, DataExport, User
from cases import erasure as case_erasure

from . import exports

log = logging.getLogger(__name__)


def export_days() -> int:
    return int(getattr(settings, "RETAIN_EXPORT_DAYS", 7))


class PrivacyError(ValidationError):
    """Refused: said in the user's words."""


@transaction.atomic
def data_export_request(*, account: Account, actor: User) -> DataExport:
    """Ask for an export; one in progress is the answer to a second click."""
    if not can(actor, "data.export", account):
        raise PrivacyError(_("Only the account's admins can export its data."))
    running = DataExport.objects.filter(account=account).in_progress().select_for_update().first()
    if running is not None:
        return running
    export = DataExport.objects.create(account=account, requested_by=actor)
    audit(actor=actor, account=account, kind=AuditEvent.Kind.DATA_EXPORT_REQUESTED, target=export)
    from .tasks import data_export_build

    data_export_build.delay_on_commit(export.pk)
    return export


def data_export_build(*, export_id: int) -> DataExport | None:
    """Build the export (a worker's job). Claimed with a conditional update, so a redelivery does nothing."""
    if not DataExport.objects.filter(pk=export_id, status=DataExport.Status.PENDING).update(
        status=DataExport.Status.RUNNING
    ):
        return None
    export = DataExport.objects.select_related("account", "requested_by").get(pk=export_id)

    def progress(pct: int) -> None:
        DataExport.objects.filter(pk=export_id).update(progress=pct)

    language = export.requested_by.language if export.requested_by else ""
    try:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "export.zip"
            manifest = exports.build(
                export.account, path, requested_by=export.requested_by, language=language, progress=progress
            )
            name = f"{export.account.slug}-{timezone.now():%Y%m%d-%H%M}-{secrets.token_urlsafe(12)}.zip"
            with path.open("rb") as fh:
                export.file.save(name, File(fh), save=False)
            export.size = path.stat().st_size
    except Exception:
        log.exception("export %s failed", export_id)
        DataExport.objects.filter(pk=export_id).update(status=DataExport.Status.FAILED, finished_at=timezone.now())
        return export
    now = timezone.now()
    export.status, export.progress, export.counts = DataExport.Status.READY, 100, manifest["counts"]
    export.finished_at, export.expires_at = now, now + timedelta(days=export_days())
    export.save(update_fields=["status", "progress", "counts", "file", "size", "finished_at", "expires_at"])
    return export


@transaction.atomic
def data_export_download(*, export: DataExport, actor: User) -> DataExport:
    """Record that the export was downloaded (the view streams the file)."""
    if not (export.downloadable and can(actor, "data.export", export.account)):
        raise PrivacyError(_("This export is no longer available."))
    audit(actor=actor, account=export.account, kind=AuditEvent.Kind.DATA_EXPORT_DOWNLOADED, target=export)
    return export


@transaction.atomic
def person_erase(*, account: Account, actor: User, email: str, reason: str) -> dict:
    """Erase a person of the customer from the account: the TAM's, on a request they verified. Returns what
    changed (counts only: the audit row must not keep what was erased)."""
    if not can(actor, "person.erase", account):
        raise PrivacyError(_("Only the account's TAM can erase a person."))
    email = User.objects.normalize_email(email.strip()).lower()
    reason = reason.strip()
    if not reason:
        raise PrivacyError(_("Say why: the request it answers, and how you verified it."))
    if User.objects.filter(email__iexact=email, is_staff=True).exists():
        raise PrivacyError(_("That address belongs to a member of staff; staff are not erased here."))
    # One erasure on an account at a time: a second one (a double click, two TAMs) waits here for the first to
    # commit, then finds nobody left and writes no second audit row.
    Account.objects.select_for_update().filter(pk=account.pk).first()
    user, contacts = account_erasure.person_of(account, email)
    found = account_erasure.identifiers(user, contacts)
    done = case_erasure.erase(account=account, email=email, user=user, names=found["names"], phones=found["phones"])
    done |= account_erasure.erase(account=account, email=email, user=user, contacts=contacts, found=found)
    if not any(v for v in done.values()):
        raise PrivacyError(_("Nobody with this address is known on this account."))
    reason = account_erasure.scrub(reason, account_erasure.patterns(emails=[email], **found))
    audit(actor=actor, account=account, kind=AuditEvent.Kind.PERSON_ERASED, reason=reason, **done)
    return done
