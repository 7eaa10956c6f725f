"""Every write on single sign-on: atomic, checked with ``accounts.access.can``, audited in the same transaction.

The configuration (connections, domains) is changed by the account admin or the account's TAM; a domain is
proved by its DNS record or confirmed by the TAM; a person who signs in through a connection is recorded,
and joins the team on first sign-in when the connection says so (just in time)."""

import idna
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import can
from accounts.audit import audit
from accounts.models import Account, AuditEvent, Membership, User

from . import verification
from .models import SsoConnection, SsoDomain

# What the audit trail records of a connection's settings (the client secret only as "changed").
AUDITED = (
    "protocol",
    "name",
    "default_role",
    "just_in_time",
    "require_sso",
    "enabled",
    "oidc_issuer",
    "oidc_client_id",
    "saml_idp_entity_id",
    "saml_idp_sso_url",
)
SECRET_FIELDS = ("oidc_client_secret", "saml_idp_x509_cert")
EDITABLE = (*AUDITED, *SECRET_FIELDS)


class SsoError(ValidationError):
    """A change refused: not allowed, or not valid (the message says which, for the page)."""


def _require(actor: User, action: str, account: Account) -> None:
    if not can(actor, action, account):
        raise SsoError(_("You cannot change single sign-on for this account."))


@transaction.atomic
def connection_create(*, account: Account, actor: User, **fields) -> SsoConnection:
    _require(actor, "sso.manage", account)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not connection settings: {sorted(unknown)}")
    connection = SsoConnection(account=account, created_by=actor, **fields)
    connection.full_clean()
    connection.save()
    details = {name: getattr(connection, name) for name in AUDITED}
    audit(actor=actor, account=account, kind=AuditEvent.Kind.SSO_CHANGED, target=connection, created=details)
    return connection


@transaction.atomic
def connection_update(*, connection: SsoConnection, actor: User, **changes) -> SsoConnection:
    """Change the settings named; a secret left empty keeps the stored one."""
    _require(actor, "sso.manage", connection.account)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not connection settings: {sorted(unknown)}")
    changes = {k: v for k, v in changes.items() if not (k in SECRET_FIELDS and not v)}
    before = {name: getattr(connection, name) for name in changes}
    changed = [name for name, value in changes.items() if before[name] != value]
    if not changed:
        return connection
    for name in changed:
        setattr(connection, name, changes[name])
    connection.full_clean()
    connection.save(update_fields=[*changed, "updated_at"])
    audit(
        actor=actor,
        account=connection.account,
        kind=AuditEvent.Kind.SSO_CHANGED,
        target=connection,
        before={name: before[name] for name in changed if name in AUDITED},
        after={name: changes[name] for name in changed if name in AUDITED},
        secrets_changed=[name for name in changed if name in SECRET_FIELDS],
    )
    return connection


def normalize_domain(value: str) -> str:
    """A domain as stored: lower case, A-labels (``bücher.example`` is ``xn--bcher-kva.example``)."""
    value = value.strip().strip(".").lower().removeprefix("@")
    try:
        ascii_ = idna.encode(value, uts46=True).decode()
    except idna.IDNAError as error:
        raise SsoError(_("%(domain)s is not a domain name.") % {"domain": value}) from error
    if "." not in ascii_:
        raise SsoError(_("%(domain)s is not a domain name.") % {"domain": value})
    return ascii_


@transaction.atomic
def domain_add(*, connection: SsoConnection, actor: User, domain: str) -> SsoDomain:
    """A domain the connection will cover once verified. One domain belongs to one connection in the portal."""
    _require(actor, "sso.manage", connection.account)
    name = normalize_domain(domain)
    if User.objects.filter(is_staff=True, email__iendswith=f"@{name}").exists():
        raise SsoError(_("%(domain)s is the portal staff's domain: it cannot sign in a customer.") % {"domain": name})
    try:
        with transaction.atomic():
            found = SsoDomain.objects.create(connection=connection, domain=name)
    except IntegrityError as error:
        raise SsoError(
            _("%(domain)s is already used for single sign-on. Ask your Technical Account Manager.") % {"domain": name}
        ) from error
    audit(actor=actor, account=connection.account, kind=AuditEvent.Kind.SSO_CHANGED, target=found, domain_added=name)
    return found


def _verified(found: SsoDomain, *, actor: User, how: str) -> SsoDomain:
    found.verified_at = timezone.now()
    found.save(update_fields=["verified_at"])
    account = found.connection.account
    audit(actor=actor, account=account, kind=AuditEvent.Kind.SSO_CHANGED, target=found, domain_verified=how)
    return found


@transaction.atomic
def domain_verify(*, domain: SsoDomain, actor: User) -> bool:
    """Look up the domain's TXT record now; True (and verified from now on) when it holds the token."""
    _require(actor, "sso.manage", domain.connection.account)
    if domain.is_verified:
        return True
    if not verification.has_record(domain.domain, domain.txt_record):
        return False
    _verified(domain, actor=actor, how="dns")
    return True


@transaction.atomic
def domain_confirm(*, domain: SsoDomain, actor: User) -> SsoDomain:
    """The account's TAM vouches for the domain (they know the company owns it): no DNS record needed."""
    _require(actor, "sso.confirm_domain", domain.connection.account)
    return domain if domain.is_verified else _verified(domain, actor=actor, how="staff")


@transaction.atomic
def domain_remove(*, domain: SsoDomain, actor: User) -> None:
    account = domain.connection.account
    _require(actor, "sso.manage", account)
    name = domain.domain
    audit(actor=actor, account=account, kind=AuditEvent.Kind.SSO_CHANGED, target=domain, domain_removed=name)
    domain.delete()


@transaction.atomic
def person_join(*, connection: SsoConnection, email: str, full_name: str, user: User | None = None) -> User:
    """Just in time: a person of the company's domain who is on no team joins this one with the connection's
    default role. Someone new has no password: they sign in through the connection."""
    account = connection.account
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name[:150], timezone=account.timezone)
    membership = Membership.objects.create(account=account, user=user, role=connection.default_role)
    audit(
        actor=user,
        account=account,
        kind=AuditEvent.Kind.MEMBER_ADDED,
        target=membership,
        email=email,
        role=connection.default_role,
        via="sso",
        connection=connection.name,
    )
    return user


@transaction.atomic
def sign_in_record(*, connection: SsoConnection, user: User, subject: str) -> None:
    audit(
        actor=user,
        account=connection.account,
        kind=AuditEvent.Kind.SSO_SIGNED_IN,
        target=connection,
        email=user.email,
        subject=subject,
    )
