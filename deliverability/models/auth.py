from django.conf import settings
from django.db import models
from django.db.models import Case, Count, Q, Value, When
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Account, TenantQuerySet
from core.text import render

from ..authentication.status import SEVERITY, FindingStatus


class AuthRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def done(self):
        return self.filter(status=AuthRun.State.DONE)

    def unfinished(self):
        return self.filter(status__in=[AuthRun.State.QUEUED, AuthRun.State.RUNNING])

    def latest_for(self, account):
        """The account's most recent run, whatever its state (the progress line shows it)."""
        return self.filter(account=account).order_by("-created_at").first()

    def last_finished(self, account):
        """The account's latest successful run: the findings the pages, panels and mediation go by.
        Chain a filter first for "the one before": ``.filter(created_at__lt=t).last_finished(account)``."""
        return self.done().filter(account=account).order_by("-created_at").first()

    def history(self, account):
        """The account's finished runs, the newest first, each with its failing, warning and worse findings
        counted."""
        return self.done().filter(account=account).with_counts().order_by("-created_at")

    def with_counts(self):
        return self.annotate(
            failing=Count("findings", filter=Q(findings__status=FindingStatus.FAIL)),
            warnings=Count("findings", filter=Q(findings__status=FindingStatus.WARNING)),
            worse=Count("findings", filter=Q(findings__regression=True)),
        )


class AuthRun(models.Model):
    """One run of the sender-authentication checks over an account's domains and IPs (MISSION: DLV-1)."""

    class State(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("sweep", "Queued")
        RUNNING = "running", pgettext_lazy("sweep", "Running")
        DONE = "done", pgettext_lazy("sweep", "Done")
        FAILED = "failed", pgettext_lazy("sweep", "Failed")

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="auth_runs")
    trigger = models.CharField(
        _("trigger"),
        max_length=10,
        default="schedule",
        choices=[("schedule", _("Scheduled")), ("manual", _("Check now"))],
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=State.choices, default=State.QUEUED)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    resolver = models.CharField(_("resolver"), max_length=200, blank=True)
    failure = models.TextField(_("failure"), blank=True)

    objects = AuthRunQuerySet.as_manager()

    class Meta:
        verbose_name = _("authentication check")
        verbose_name_plural = _("authentication checks")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["account", "-created_at"], name="authrun_account_recent")]

    def __str__(self):
        return f"{self.account} {self.created_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def is_finished(self) -> bool:
        return self.status in (self.State.DONE, self.State.FAILED)


class AuthFindingQuerySet(TenantQuerySet):
    account_path = "run__account"

    def not_passing(self):
        return self.exclude(status=FindingStatus.PASS)

    def worst_first(self):
        """Ordered by ``SEVERITY`` (fail, error, warning, pass), then by subject."""
        rank = Case(*(When(status=status, then=Value(-n)) for status, n in SEVERITY.items()), default=Value(0))
        return self.order_by(rank, "subject", "kind")

    def status_counts(self) -> dict:
        """``total`` and one count per status (``pass``, ``warning``, ``fail``, ``error``)."""
        per_status = {status: Count("id", filter=Q(status=status)) for status in FindingStatus.values}
        return self.aggregate(total=Count("id"), **per_status)


class AuthFinding(models.Model):
    """One result of a run: pass / warning / fail / error, its meaning, and the exact fix."""

    Status = FindingStatus

    class Kind(models.TextChoices):
        SPF = "spf", _("SPF (bounce domain)")
        SPF_FROM = "spf_from", _("SPF of the From domain")
        DKIM = "dkim", "DKIM"
        DMARC = "dmarc", "DMARC"
        ALIGNMENT = "alignment", _("DMARC alignment")
        MX = "mx", "MX"
        BOUNCE = "bounce", _("Bounce domain")
        FCRDNS = "fcrdns", _("Reverse DNS")
        MTA_STS = "mta_sts", "MTA-STS"
        TLS_RPT = "tls_rpt", _("TLS reporting (TLS-RPT)")
        BIMI = "bimi", "BIMI"

    run = models.ForeignKey(AuthRun, on_delete=models.CASCADE, related_name="findings")
    subject = models.CharField(_("domain or IP"), max_length=300)
    kind = models.CharField(_("check"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    title = models.TextField(_("finding"))
    detail = models.TextField(_("detail"), blank=True)
    fix = models.TextField(_("fix"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    regression = models.BooleanField(_("worse than the previous check"), default=False)

    objects = AuthFindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("authentication finding")
        verbose_name_plural = _("authentication findings")
        ordering = ["run", "subject", "kind"]

    def __str__(self):
        return f"{self.subject} {self.kind}: {self.status}"

    def text(self, part: str) -> str:
        """The finding's title, detail or fix in the reader's language (stored as message ids), or as stored."""
        stored = (self.data or {}).get("i18n", {}).get(part)
        return render(stored) if stored else getattr(self, part)
