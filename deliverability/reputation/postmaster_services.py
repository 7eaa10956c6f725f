"""State changes of the Google Postmaster Tools connection (issue 19): connect (the tokens Google gave for
the account admin's consent, kept encrypted), disconnect (revoked at Google, forgotten here), and the
token's own life (refreshed when it expires; "reconnect" when Google refuses it). Audited. MISSION: DLV-1."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import audit
from accounts.models import Account, AuditEvent
from core.panel_cache import changed
from core.text import _

from ..models import PostmasterConnection
from . import postmaster_oauth as oauth


@transaction.atomic
def postmaster_connect(*, account: Account, actor, tokens: oauth.Tokens) -> PostmasterConnection:
    """Keep the tokens of a new consent (replacing a previous connection's), then import after commit."""
    now = timezone.now()
    connection, _created = PostmasterConnection.objects.select_for_update().update_or_create(
        account=account,
        defaults={
            "status": PostmasterConnection.Status.CONNECTED,
            "refresh_token": oauth.seal(tokens.refresh_token),
            "access_token": oauth.seal(tokens.access_token),
            "access_expires_at": tokens.expires_at,
            "connected_by": actor,
            "connected_at": now,
            "error": "",
        },
    )
    audit(actor=actor, account=account, kind=AuditEvent.Kind.POSTMASTER_CONNECTED, target=connection)
    from .postmaster_tasks import postmaster_import  # the task module imports this one

    transaction.on_commit(lambda: postmaster_import.delay(account.pk))
    return connection


STALE_REQUEST = timedelta(minutes=15)  # a request queued or running this long was lost (a broker restart)


@transaction.atomic
def postmaster_import_request(*, account: Account, actor) -> bool:
    """Queue an import of the account's connection now (the page's "Import now"). A conditional claim: only
    a connected account with no import queued or running (or one lost for ``STALE_REQUEST``) is queued, so
    a double click or two people at once queue one task. Audited; the task is enqueued after commit.
    False when nothing was queued."""
    now = timezone.now()
    busy = Q(import_state__in=[PostmasterConnection.ImportState.QUEUED, PostmasterConnection.ImportState.RUNNING])
    claimed = (
        PostmasterConnection.objects.filter(account=account, status=PostmasterConnection.Status.CONNECTED)
        .exclude(busy & Q(import_requested_at__gt=now - STALE_REQUEST))
        .update(import_state=PostmasterConnection.ImportState.QUEUED, import_requested_at=now, import_result=None)
    )
    if not claimed:
        return False
    connection = PostmasterConnection.objects.get(account=account)
    audit(actor=actor, account=account, kind=AuditEvent.Kind.POSTMASTER_IMPORT_REQUESTED, target=connection)
    from .postmaster_tasks import postmaster_import_now  # the task module imports this one

    postmaster_import_now.delay_on_commit(account.pk)
    changed(account.pk)
    return True


def postmaster_disconnect(*, account: Account, actor) -> bool:
    """Revoke the grant at Google (outside the transaction: a slow Google holds no lock), then forget the
    tokens and the imported days stay. False when there was no connection."""
    connection = PostmasterConnection.objects.filter(account=account).first()
    if connection is None:
        return False
    try:
        oauth.revoke(oauth.unseal(connection.refresh_token))
    except oauth.OAuthError:
        pass  # undecryptable: nothing to revoke with; Google expires unused grants
    with transaction.atomic():
        deleted, _rows = PostmasterConnection.objects.filter(pk=connection.pk).delete()
        if deleted:
            audit(actor=actor, account=account, kind=AuditEvent.Kind.POSTMASTER_DISCONNECTED, target=connection)
    return bool(deleted)


def access_token(connection: PostmasterConnection, *, force: bool = False) -> str:
    """A usable access token: the stored one while it lasts, else a refreshed one (kept encrypted).
    Google refusing the refresh token marks the connection "reconnect" and raises ``OAuthError``."""
    now = timezone.now()
    stored = oauth.unseal(connection.access_token)
    if stored and not force and connection.access_expires_at and connection.access_expires_at > now:
        return stored
    try:
        tokens = oauth.refresh(oauth.unseal(connection.refresh_token), now)
    except oauth.OAuthError as error:
        if error.revoked:
            connection_needs_reconnect(connection=connection)
        raise
    connection.access_token, connection.access_expires_at = oauth.seal(tokens.access_token), tokens.expires_at
    fields = ["access_token", "access_expires_at"]
    if tokens.refresh_token:  # Google may rotate it
        connection.refresh_token = oauth.seal(tokens.refresh_token)
        fields.append("refresh_token")
    connection.save(update_fields=fields)
    return tokens.access_token


@transaction.atomic
def connection_needs_reconnect(*, connection: PostmasterConnection) -> None:
    connection.status = PostmasterConnection.Status.RECONNECT
    connection.error = _("Google refused the saved permission (revoked or expired): connect Postmaster Tools again.")
    connection.access_token, connection.access_expires_at = b"", None
    connection.save(update_fields=["status", "error", "access_token", "access_expires_at"])
    changed(connection.account_id)
