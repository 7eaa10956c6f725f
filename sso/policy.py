"""Which connection speaks for an email address, and whether a password is refused for it.

Only a usable connection (enabled, of an open account) with the address's domain verified counts."""

from django.utils.translation import gettext as _

from accounts.models import User

from .models import SsoConnection, email_domain


def connection_for(email: str) -> SsoConnection | None:
    domain = email_domain(email)
    if not domain:
        return None
    connections = SsoConnection.objects.usable().filter(domains__domain=domain, domains__verified_at__isnull=False)
    return connections.select_related("account").first()


def requiring(email: str) -> SsoConnection | None:
    """The connection that requires single sign-on of this address; ``None`` when a password is fine. Never
    for a member of staff: staff keep their own sign-in with two factors, whatever a customer's domain says."""
    connection = connection_for(email)
    if connection is None or not connection.require_sso:
        return None
    return None if User.objects.filter(email__iexact=email.strip(), is_staff=True).exists() else connection


def refusal(connection: SsoConnection) -> str:
    return _('Your company signs you in through %(name)s, not with a password: use "Sign in with %(name)s".') % {
        "name": connection.name
    }
