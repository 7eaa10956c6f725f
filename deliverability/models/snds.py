"""Microsoft SNDS (Smart Network Data Services; issue 19): the account's automated-data-access key, what
data.aspx said per IP and day, and the blocks ipStatus.aspx lists. MISSION: DLV-1, DLV-2."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.text import MessageField

from .targets import MonitoredTarget


class SndsQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))


class SndsConnection(models.Model):
    """The account's SNDS key, sealed (``core.sealed``): shown once when entered, then only its last four
    characters. ``state`` says how the last import went; the error is a message translated when shown."""

    class State(models.TextChoices):
        NEW = "new", _("not imported yet")
        OK = "ok", _("imported")
        FAILING = "failing", _("import failing")
        KEY_REJECTED = "rejected", _("key rejected")

    account = models.OneToOneField(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="snds")
    key_sealed = models.TextField(editable=False)
    key_hint = models.CharField(_("key ends with"), max_length=4, editable=False)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.NEW)
    error = MessageField(_("last error"), blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_success_at = models.DateTimeField(_("last import"), null=True, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    connected_at = models.DateTimeField(_("connected"), auto_now_add=True)

    objects = SndsQuerySet.as_manager()

    class Meta:
        verbose_name = _("Microsoft SNDS connection")
        verbose_name_plural = _("Microsoft SNDS connections")

    def __str__(self):
        return f"SNDS …{self.key_hint}"


class SndsDayQuerySet(SndsQuerySet):
    def troubled(self):
        """Days with a RED filter result or trap hits: what holds a warm-up and what the console lists."""
        return self.filter(models.Q(filter_result=SndsDay.Filter.RED) | models.Q(trap_hits__gt=0))


class SndsDay(models.Model):
    """One line of data.aspx: one IP's activity on one day, as Microsoft saw it. Stored per (IP, day): a
    re-import of the same day replaces the figures. An IP the account does not monitor is kept, ``target``
    empty ("not one of your monitored IPs")."""

    class Filter(models.TextChoices):
        GREEN = "green", _("Green")
        YELLOW = "yellow", _("Yellow")
        RED = "red", _("Red")
        UNKNOWN = "unknown", _("Unknown")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="snds_days")
    ip = models.GenericIPAddressField(_("IP address"))
    day = models.DateField(_("day"))
    target = models.ForeignKey(
        MonitoredTarget,
        verbose_name=_("monitored IP"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="snds_days",
    )
    activity_start = models.DateTimeField(_("activity start"), null=True, blank=True)
    activity_end = models.DateTimeField(_("activity end"), null=True, blank=True)
    rcpt_commands = models.PositiveBigIntegerField(_("RCPT commands"), default=0)
    data_commands = models.PositiveBigIntegerField(_("DATA commands"), default=0)
    recipients = models.PositiveBigIntegerField(_("message recipients"), default=0)
    filter_result = models.CharField(_("filter result"), max_length=8, choices=Filter.choices)
    filter_raw = models.CharField(max_length=20, blank=True)
    complaint_text = models.CharField(_("complaint rate"), max_length=20, blank=True)  # as sent: "< 0.1%"
    complaint_rate = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)  # percent
    complaint_below = models.BooleanField(default=False)  # "< 0.1%": below the figure, not equal to it
    trap_start = models.DateTimeField(_("trap message start"), null=True, blank=True)
    trap_end = models.DateTimeField(_("trap message end"), null=True, blank=True)
    trap_hits = models.PositiveIntegerField(_("trap hits"), null=True, blank=True)  # empty: not in the data
    sample_helo = models.CharField(_("sample HELO"), max_length=255, blank=True)
    sample_mail_from = models.CharField(_("sample MAIL FROM"), max_length=320, blank=True)
    imported_at = models.DateTimeField(_("imported"), auto_now=True)

    objects = SndsDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("Microsoft SNDS day")
        verbose_name_plural = _("Microsoft SNDS days")
        ordering = ["account", "-day", "ip"]
        constraints = [models.UniqueConstraint(fields=["account", "ip", "day"], name="snds_day_unique")]
        indexes = [models.Index(fields=["account", "day"], name="snds_day_account_day")]

    def __str__(self):
        return f"{self.day} {self.ip} {self.filter_result}"

    @property
    def troubled(self) -> bool:
        return self.filter_result == self.Filter.RED or bool(self.trap_hits)


class SndsBlock(models.Model):
    """One range ipStatus.aspx lists as blocked, as of the last import (the list is replaced each time)."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="snds_blocks"
    )
    first_ip = models.GenericIPAddressField(_("first IP"))
    last_ip = models.GenericIPAddressField(_("last IP"))
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    seen_at = models.DateTimeField(_("seen"))

    objects = SndsQuerySet.as_manager()

    class Meta:
        verbose_name = _("Microsoft SNDS block")
        verbose_name_plural = _("Microsoft SNDS blocks")
        ordering = ["account", "first_ip"]

    def __str__(self):
        return f"{self.first_ip}–{self.last_ip}"
