import gc

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
        resume_collector()


def resume_collector() -> None:
    """``manage.py`` pauses the cyclic garbage collector while Django starts. Once every app is ready (this
    app is the last of INSTALLED_APPS), what start-up made is frozen out of the collector's sight (it lives
    as long as the process: collecting it would find nothing, at exit too) and the collector runs again
    for what the command makes. Processes not started by ``manage.py`` (gunicorn, Celery) never paused it."""
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
