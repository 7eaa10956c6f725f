"""How django-allauth fits the portal: nobody signs up (staff and invitations create people), a client's
address is ``core.network.client_ip`` (the one answer behind our proxies), the sign-in error is ours, and
the last second factor of someone who must have one cannot be removed (ASVS 2.2, 2.7, 2.8)."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.utils.translation import gettext_lazy as _

from core.network import client_ip

from . import mfa


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # The error names what the user typed, never whether the address has an account.
        "email_password_mismatch": _("That email and password do not match an account. Check both and try again."),
        "too_many_login_attempts": _("Too many failed sign-in attempts. Wait a few minutes and try again."),
    }

    def is_open_for_signup(self, request) -> bool:
        return False

    def get_client_ip(self, request) -> str:
        # A request Django's test client makes up for force_login() has no address: the unspecified one.
        return client_ip(request) or "0.0.0.0"  # noqa: S104 - an address recorded, not one bound to


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email

    def can_delete_authenticator(self, authenticator) -> bool:
        """Refused when it is the last second factor of someone who must have one (staff, or a member of an
        account that requires it). Recovery codes alone are not a second factor to keep."""
        return mfa.can_remove(authenticator)
