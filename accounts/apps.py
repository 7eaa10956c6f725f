from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import invitations  # noqa: F401 - registers the set-password link made when the email leaves
        from . import mfa  # noqa: F401 - audits second-factor changes, keeps allauth's verified addresses
