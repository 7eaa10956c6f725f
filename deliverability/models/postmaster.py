"""Google Postmaster Tools (issue 19, "Mailbox-provider reputation"): the account's connection (OAuth 2.0,
its refresh token kept encrypted), each verified domain's import state, and what Gmail reported per domain
and day. MISSION: DLV-1, DLV-3, TAM-6. Source: shared/facts/reputation.md (API v1)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet
from core.text import MessageField

# Gmail's reputation scale, best first; the rank orders it (a higher rank is worse).
REPUTATIONS = ("HIGH", "MEDIUM", "LOW", "BAD")


def reputation_rank(value: str) -> int | None:
    return REPUTATIONS.index(value) if value in REPUTATIONS else None


class PostmasterConnection(models.Model):
    """One Google account's consent for the account's Postmaster Tools data (scope postmaster.readonly).
    ``RECONNECT``: Google refused the refresh token (revoked or expired): nothing imports until the account
    admin connects again."""

    class Status(models.TextChoices):
        CONNECTED = "connected", _("connected")
        RECONNECT = "reconnect", _("reconnect needed")

    class ImportState(models.TextChoices):  # an import asked for on the page ("Import now")
        IDLE = "idle", _("none asked for")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")

    account = models.OneToOneField(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="postmaster"
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CONNECTED)
    refresh_token = models.BinaryField(_("refresh token (encrypted)"), editable=False)
    access_token = models.BinaryField(_("access token (encrypted)"), editable=False, blank=True, default=b"")
    access_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("connected by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    connected_at = models.DateTimeField(_("connected at"))
    last_run_at = models.DateTimeField(_("last import"), null=True, blank=True)
    error = MessageField(_("last error"), blank=True)
    import_state = models.CharField(
        _("import asked for"), max_length=8, choices=ImportState.choices, default="idle", db_default="idle"
    )
    import_requested_at = models.DateTimeField(_("import asked for at"), null=True, blank=True)
    import_finished_at = models.DateTimeField(_("import finished at"), null=True, blank=True)
    import_result = models.JSONField(_("import result"), null=True, blank=True)  # {"domains", "failed", "days"}

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("Postmaster Tools connection")
        verbose_name_plural = _("Postmaster Tools connections")

    def __str__(self):
        return f"{self.account} ({self.status})"


class PostmasterDomain(models.Model):
    """A domain Google lists for the connection, and how far its days were imported. ``imported_through``
    moves only when every day up to it was answered (a day Google leaves out for low volume is answered
    too): a failure leaves it, so the next run asks for the same days again."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="postmaster_domains"
    )
    name = models.CharField(_("domain"), max_length=253)
    imported_through = models.DateField(_("imported through"), null=True, blank=True)
    last_import_at = models.DateTimeField(_("last import"), null=True, blank=True)
    error = MessageField(_("last error"), blank=True)
    error_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("Postmaster Tools domain")
        verbose_name_plural = _("Postmaster Tools domains")
        ordering = ["account", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="postmaster_domain_unique")]

    def __str__(self):
        return self.name


class PostmasterDayQuerySet(TenantQuerySet):
    def of(self, account, domain: str, first):
        return self.filter(account=account, domain=domain, day__gte=first).order_by("day")

    def latest_per_domain(self, account) -> dict[str, "PostmasterDay"]:
        """The newest day with a spam rate of each domain: {domain: day row}. One query."""
        rows = self.filter(account=account, spam_ratio__isnull=False).order_by("domain", "-day")
        found: dict[str, PostmasterDay] = {}
        for row in rows.only("domain", "day", "spam_ratio", "domain_reputation")[:2000]:
            found.setdefault(row.domain, row)
        return found

    def dropped_since(self, since):
        """Days whose import found the domain reputation lower than the day before, recorded from ``since``."""
        return self.filter(dropped_at__gte=since)


class PostmasterDay(models.Model):
    """What Gmail reported for one domain on one (Pacific) day: trafficStats, field by field. Ratios are
    fractions (0.0012 is 0.12%), as the API gives them; a missing field stays empty, never zero."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="postmaster_days"
    )
    domain = models.CharField(_("domain"), max_length=253)
    day = models.DateField(_("day"))
    spam_ratio = models.FloatField(_("user-reported spam ratio"), null=True, blank=True)
    spam_ratio_lower = models.FloatField(_("spam ratio, lower bound"), null=True, blank=True)
    spam_ratio_upper = models.FloatField(_("spam ratio, upper bound"), null=True, blank=True)
    domain_reputation = models.CharField(_("domain reputation"), max_length=24, blank=True)
    ip_reputations = models.JSONField(_("IP reputations"), default=list, blank=True)
    spammy_feedback_loops = models.JSONField(_("spammy feedback loops"), default=list, blank=True)
    spf_ratio = models.FloatField(_("SPF success ratio"), null=True, blank=True)
    dkim_ratio = models.FloatField(_("DKIM success ratio"), null=True, blank=True)
    dmarc_ratio = models.FloatField(_("DMARC success ratio"), null=True, blank=True)
    outbound_encryption_ratio = models.FloatField(_("outbound encryption ratio"), null=True, blank=True)
    inbound_encryption_ratio = models.FloatField(_("inbound encryption ratio"), null=True, blank=True)
    delivery_errors = models.JSONField(_("delivery errors"), default=list, blank=True)
    imported_at = models.DateTimeField(_("imported at"))
    # set once, when an import first finds this day's reputation below the day before (the drop's event)
    dropped_at = models.DateTimeField(_("reputation drop found at"), null=True, blank=True)

    objects = PostmasterDayQuerySet.as_manager()

    class Meta:
        verbose_name = _("Postmaster Tools day")
        verbose_name_plural = _("Postmaster Tools days")
        ordering = ["account", "domain", "day"]
        constraints = [models.UniqueConstraint(fields=["account", "domain", "day"], name="postmaster_day_unique")]
        indexes = [
            models.Index(fields=["dropped_at"], name="postmaster_day_dropped", condition=Q(dropped_at__isnull=False))
        ]

    def __str__(self):
        return f"{self.domain} {self.day}"

    @property
    def spam_percent(self) -> float | None:
        return _percent(self.spam_ratio)

    @property
    def percents(self) -> dict:
        """The ratios as percentages for the page (None stays None)."""
        return {
            "lower": _percent(self.spam_ratio_lower),
            "upper": _percent(self.spam_ratio_upper),
            "spf": _percent(self.spf_ratio, 1),
            "dkim": _percent(self.dkim_ratio, 1),
            "dmarc": _percent(self.dmarc_ratio, 1),
            "tls_out": _percent(self.outbound_encryption_ratio, 1),
            "errors": [e | {"percent": _percent(e.get("ratio"))} for e in self.delivery_errors],
        }


def _percent(ratio, digits: int = 2) -> float | None:
    return None if ratio is None else round(ratio * 100, digits)
