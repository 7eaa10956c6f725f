from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # invitations: the set-password link made when the email leaves; mfa: audits second-factor changes
        # and keeps allauth's verified addresses.
        from . import invitations, mfa  # noqa: F401
