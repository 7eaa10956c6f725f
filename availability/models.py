"""The availability ledger's storage: per-second rollups per account and channel (bounded whatever the raw
volume), ingested batches (for idempotency) and each account's target. MISSION: AV-1."""

from decimal import Decimal
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, ApiToken, TenantQuerySet
from core.text import MessageField

# ``ledger.unavailable(attempts, failures)`` as SQL: the rule of MISSION AV-1, for the partial index and the
# QuerySet (tests/availability/test_reads.py checks that both answer alike on every kind of row)
UNAVAILABLE = Q(attempts__gt=0, failures__gte=F("attempts"))
# The panel cache's topic (core.panel_cache) that writes of rollups and incident alerts move: the availability
# panel is drawn again, the account's other panels stay.
PANEL_TOPIC = "availability"


class AvailabilityProfile(models.Model):
    """The contract's figures for one account."""

    account = models.OneToOneField(Account, on_delete=models.CASCADE, related_name="availability")
    target_pct = models.DecimalField(
        _("availability target (%)"), max_digits=6, decimal_places=3, default=Decimal("99.99")
    )
    sustained_seconds = models.PositiveIntegerField(
        _("alert after this many consecutive unavailable seconds"), default=60
    )
    # Probes: a real API call and a real SMTP injection every ``probe_seconds`` (MISSION: AV-1)
    probe_enabled = models.BooleanField(_("probe"), default=False)
    probe_seconds = models.PositiveIntegerField(_("probe every (seconds)"), default=60)
    probe_api_url = models.URLField(_("API URL to call"), blank=True)
    probe_smtp_host = models.CharField(_("SMTP host"), max_length=200, blank=True)
    probe_smtp_port = models.PositiveIntegerField(_("SMTP port"), default=587)
    probe_smtp_from = models.EmailField(_("SMTP sender"), blank=True)
    probe_smtp_to = models.EmailField(_("SMTP test recipient"), blank=True)
    last_probe_at = models.DateTimeField(_("last probe"), null=True, blank=True)
    # Why the last probe did not run (its target resolved to an internal address): a core.text message.
    last_probe_refusal = MessageField(_("last probe refused"), blank=True, editable=False)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("availability profile")
        verbose_name_plural = _("availability profiles")

    def __str__(self):
        return f"{self.account}: {self.target_pct}%"

    def clean(self):
        """Probes reach public hosts only (``probes.refusal``); checked again before each probe."""
        from .probes import refusal  # probes reads this module

        errors = {}
        if self.probe_api_url and (reason := refusal(urlsplit(self.probe_api_url).hostname or "")):
            errors["probe_api_url"] = reason
        if self.probe_smtp_host and (reason := refusal(self.probe_smtp_host)):
            errors["probe_smtp_host"] = reason
        if errors:
            raise ValidationError(errors)


class SecondRollupQuerySet(TenantQuerySet):
    def between(self, start: int, end: int):
        """The seconds in [start, end) (epoch seconds)."""
        return self.filter(second__gte=start, second__lt=end)

    def unavailable(self):
        """The unavailable seconds (per channel): attempts were made and all of them failed (AV-1)."""
        return self.filter(UNAVAILABLE)


class SecondRollup(models.Model):
    """Attempts and server failures of one account, one channel, one UTC second (epoch)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    channel = models.PositiveSmallIntegerField(choices=[(1, "API"), (2, "SMTP")])
    second = models.BigIntegerField()
    attempts = models.PositiveIntegerField()
    failures = models.PositiveIntegerField()

    objects = SecondRollupQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "channel", "second"], name="rollup_unique_second"),
        ]
        indexes = [
            # the ledger reads only the unavailable seconds: every attempt of the channel failed
            models.Index(
                fields=["account", "second"],
                name="rollup_unavailable",
                condition=UNAVAILABLE,
            ),
        ]

    def __str__(self):
        return f"{self.account_id}/{self.channel}/{self.second}: {self.failures}/{self.attempts}"


class IngestBatch(models.Model):
    """One ingested file or API batch: the same content twice is refused, so nothing is counted twice."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64)
    source = models.CharField(max_length=200, blank=True)
    # the API token that sent the batch (None: a file through the command line)
    token = models.ForeignKey(ApiToken, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    accepted = models.PositiveBigIntegerField(default=0)
    rejected = models.PositiveBigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "digest"], name="batch_unique_digest")]

    def __str__(self):
        return f"{self.account_id} {self.source} {self.created_at:%Y-%m-%d %H:%M}"


class IncidentAlert(models.Model):
    """A sustained incident (CR-0), kept from its true first second: alerted once when it became sustained
    (staff and the TAM told, a critical case offered) and once when it was over (``ended_at``). The watcher
    matches what it finds to these rows by overlap, so sweeps and worker restarts never alert it twice."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="+")
    start = models.BigIntegerField()  # the incident's first unavailable second
    end = models.BigIntegerField(default=0)  # one after its last unavailable second (as far as known)
    unavailable = models.PositiveIntegerField(default=0)  # its unavailable seconds
    channels = models.CharField(max_length=20)
    alerted_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)  # when it was alerted as over

    objects = TenantQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "start"], name="incident_alert_once")]

    def __str__(self):
        return f"{self.account_id} {self.start}"
