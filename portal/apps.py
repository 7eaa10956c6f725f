from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portal")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from core.panel_cache import watch_models
        from core.sessions import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="core.sessions.stamp_sign_in")
        watch_models()
