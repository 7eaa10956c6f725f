"""An account's identity provider (``SsoConnection``) and the email domains it speaks for (``SsoDomain``).

A domain counts only once verified (a DNS TXT record ``tam-portal-sso=<token>`` at the domain, or the account's
TAM's confirmation), and one domain belongs to one connection in the whole portal."""

import secrets

import idna
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, Membership, TenantQuerySet
from core.sealed import SealedTextField

TXT_PREFIX = "tam-portal-sso="


def new_verification_token() -> str:
    return secrets.token_urlsafe(24)


def email_domain(email: str) -> str:
    """An address's domain as domains are stored: lower case, A-labels ("" for no domain)."""
    domain = email.strip().rpartition("@")[2].strip(".").lower() if "@" in email else ""
    try:
        return idna.encode(domain, uts46=True).decode() if domain else ""
    except idna.IDNAError:
        return domain


class SsoConnectionQuerySet(TenantQuerySet):
    def usable(self):
        """Connections people may sign in through: enabled, of an account that is not closed."""
        return self.filter(enabled=True).exclude(account__status=Account.Status.CLOSED)


class SsoConnection(models.Model):
    """One identity provider of a customer company: OpenID Connect or SAML 2.0."""

    class Protocol(models.TextChoices):
        OIDC = "oidc", _("OpenID Connect")
        SAML = "saml", _("SAML 2.0")

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="sso_connections"
    )
    protocol = models.CharField(_("protocol"), max_length=4, choices=Protocol.choices, default=Protocol.OIDC)
    name = models.CharField(_("name"), max_length=100, help_text=_('Shown on the sign-in button, e.g. "Okta".'))
    default_role = models.CharField(
        _("role of new people"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    just_in_time = models.BooleanField(
        _("add new people on first sign-in"),
        default=True,
        help_text=_("People of the company's domains who are not on the team yet join it when they first sign in."),
    )
    require_sso = models.BooleanField(
        _("require single sign-on"),
        default=False,
        help_text=_("People of the verified domains cannot sign in or reset a password with a password."),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    oidc_issuer = models.URLField(_("issuer"), blank=True, help_text=_("e.g. https://example.okta.com"))
    oidc_client_id = models.CharField(_("client id"), max_length=255, blank=True)
    oidc_client_secret = SealedTextField(_("client secret"), blank=True)
    saml_idp_entity_id = models.CharField(_("identity provider entity id"), max_length=500, blank=True)
    saml_idp_sso_url = models.URLField(_("identity provider sign-in URL"), blank=True)
    saml_idp_x509_cert = models.TextField(_("identity provider certificate"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = SsoConnectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("single sign-on connection")
        verbose_name_plural = _("single sign-on connections")
        ordering = ["account", "name"]

    def __str__(self):
        return f"{self.name} ({self.get_protocol_display()})"

    @property
    def provider_id(self) -> str:
        """The allauth provider id of this connection's unsaved ``SocialApp`` (sso/adapters.py)."""
        return f"acct-{self.pk}"

    def covers(self, email: str) -> bool:
        """Whether the address's domain is one of this connection's verified domains."""
        domain = email_domain(email)
        return bool(domain) and self.domains.verified().filter(domain=domain).exists()


class SsoDomainQuerySet(TenantQuerySet):
    account_path = "connection__account"

    def verified(self):
        return self.filter(verified_at__isnull=False)


class SsoDomain(models.Model):
    """An email domain a connection speaks for; it counts once ``verified_at`` is set."""

    connection = models.ForeignKey(
        SsoConnection, verbose_name=_("connection"), on_delete=models.CASCADE, related_name="domains"
    )
    domain = models.CharField(_("domain"), max_length=253, unique=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_token = models.CharField(max_length=64, default=new_verification_token, editable=False)

    objects = SsoDomainQuerySet.as_manager()

    class Meta:
        verbose_name = _("single sign-on domain")
        verbose_name_plural = _("single sign-on domains")
        ordering = ["domain"]

    def __str__(self):
        return self.domain

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def txt_record(self) -> str:
        """The TXT record's value to publish at the domain."""
        return f"{TXT_PREFIX}{self.verification_token}"
