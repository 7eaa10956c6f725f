from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliverabilityConfig(AppConfig):
    name = "deliverability"
    verbose_name = _("Deliverability")

    def ready(self):
        from cases.email import routes

        from .dmarc_reports import inbound

        routes.register(inbound.handle)  # issue 19: mail to a DMARC report address is a report, not a case
