import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .accounts import Account, TenantQuerySet


def _usable() -> Q:
    """The one rule for a token that works: not revoked, not expired, and its account is not closed."""
    unexpired = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())  # the app's clock, not the database's
    return Q(revoked_at__isnull=True) & unexpired & ~Q(account__status=Account.Status.CLOSED)


# What a token may do (issue 20). The two ingestion endpoints of before are ``warmup:write`` and
# ``availability:write``: tokens made before scopes existed hold exactly those two (the column's default).
SCOPES = {
    "cases:read": _("Read cases"),
    "cases:write": _("Open cases, reply, accept or reject resolutions"),
    "deliverability:read": _("Read blocklist status and sender authentication"),
    "planning:read": _("Read warm-up plans and their figures"),
    "warmup:write": _("Send warm-up figures"),
    "availability:read": _("Read availability months and incidents"),
    "availability:write": _("Send availability attempts"),
}
INGEST_SCOPES = "availability:write warmup:write"


class ApiTokenQuerySet(TenantQuerySet):
    def active(self):
        """Tokens the APIs accept."""
        return self.filter(_usable())

    def with_usable(self):
        """Each token with ``usable``: whether ``active()`` includes it."""
        return self.annotate(usable=models.ExpressionWrapper(_usable(), output_field=models.BooleanField()))


class ApiToken(models.Model):
    """A per-account key for the customer's systems (warm-up actuals, availability attempts); only the
    SHA-256 of the key is stored, and the key is shown once. Made and revoked only by
    ``accounts.services.api_token_issue`` / ``api_token_revoke``: the account and the revocation never change
    after that."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="ingest_tokens")
    name = models.CharField(_("name"), max_length=80)
    prefix = models.CharField(max_length=8, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # Issue 20: what the token may do (space-separated ``SCOPES`` keys) and until when.
    scopes = models.CharField(_("scopes"), max_length=300, default=INGEST_SCOPES, db_default=INGEST_SCOPES)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def allows(self, scope: str) -> bool:
        return scope in self.scope_set

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return f"eet_{secrets.token_urlsafe(32)}"

    @classmethod
    def from_request(cls, request, scope: str | None = None) -> "ApiToken | None":
        """The active token of an ``Authorization: Bearer <key>`` header (holding ``scope`` when one is
        named), or None."""
        header = request.headers.get("Authorization", "")
        token = cls.find(header.removeprefix("Bearer ").strip()) if header.startswith("Bearer ") else None
        return token if token is not None and (scope is None or token.allows(scope)) else None

    @classmethod
    def find(cls, key: str) -> "ApiToken | None":
        """The token of this key if the APIs accept it (``active()``), else None: an unknown, revoked or
        closed account's key all look the same to the caller."""
        token = cls.objects.active().select_related("account").filter(key_hash=cls.hash(key or "")).first()
        if token is not None:
            cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token
