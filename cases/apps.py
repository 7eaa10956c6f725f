from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Support cases")

    def ready(self):
        from .email import webhook  # noqa: F401 - connects the inbound-email receiver
