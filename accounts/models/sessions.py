"""How long a customer's sign-in lasts (issue 14; ASVS 3.3.1, 3.3.2): the choices an account admin has.

Staff sessions do not come from here: settings ``STAFF_SESSION_IDLE_MINUTES`` and ``STAFF_SESSION_MAX_HOURS``
(30 minutes, 12 hours). ``core/sessions.py`` enforces both.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SessionIdle(models.IntegerChoices):
    """Minutes without activity after which a customer is signed out."""

    MINUTES_15 = 15, _("15 minutes")
    MINUTES_30 = 30, _("30 minutes")
    HOUR_1 = 60, _("1 hour")
    HOURS_2 = 120, _("2 hours")
    HOURS_4 = 240, _("4 hours")
    HOURS_8 = 480, _("8 hours")
    DAY_1 = 1440, _("1 day")
    DAYS_7 = 10080, _("7 days")


class SessionMax(models.IntegerChoices):
    """Hours after signing in after which a customer signs in again, however active (at most the two weeks
    of ``SESSION_COOKIE_AGE``)."""

    HOURS_8 = 8, _("8 hours")
    HOURS_12 = 12, _("12 hours")
    DAY_1 = 24, _("1 day")
    DAYS_3 = 72, _("3 days")
    DAYS_7 = 168, _("7 days")
    DAYS_14 = 336, _("14 days")


class FormSubmission(models.Model):
    """One use of a one-time form token (``core/idempotency.py``): inserted in the transaction that creates
    what the form asked for, so a second POST of the same form fails the unique insert and is sent to
    ``result_url``, the first one's result (issue 14: double submits)."""

    key = models.CharField(_("form token"), max_length=80, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    path = models.CharField(_("form address"), max_length=300)
    result_url = models.CharField(_("result address"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self):
        return f"{self.path} ({self.created_at:%Y-%m-%d %H:%M})"
