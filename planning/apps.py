from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "planning"
    verbose_name = _("Planning")

    def ready(self):
        from deliverability.reputation.signals import reputation_changed

        from .receivers import on_reputation_changed

        reputation_changed.connect(on_reputation_changed, dispatch_uid="planning.reputation_changed")
