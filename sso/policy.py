"""Which connection speaks for an email address, and whether a password is refused for it.

Only a usable connection (enabled, of an open account) with the address's domain verified counts."""

from django.utils.translation import gettext as _

from .models import SsoConnection


def connection_for(email: str) -> SsoConnection | None:
    domain = email.strip().rpartition("@")[2].lower() if "@" in email else ""
    if not domain:
        return None
    connections = SsoConnection.objects.usable().filter(domains__domain=domain, domains__verified_at__isnull=False)
    return connections.select_related("account").first()


def requiring(email: str) -> SsoConnection | None:
    """The connection that requires single sign-on of this address; ``None`` when a password is fine."""
    connection = connection_for(email)
    return connection if connection is not None and connection.require_sso else None


def refusal(connection: SsoConnection) -> str:
    return _('Your company signs you in through %(name)s, not with a password: use "Sign in with %(name)s".') % {
        "name": connection.name
    }
