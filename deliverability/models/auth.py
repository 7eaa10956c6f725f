from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Account, TenantQuerySet
from core.text import render


class AuthRunQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def done(self):
        return self.filter(status=AuthRun.State.DONE)


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


class AuthFinding(models.Model):
    """One result of a run: pass / warning / fail / error, its meaning, and the exact fix."""

    class Status(models.TextChoices):
        PASS = "pass", _("Pass")
        WARNING = "warning", _("Warning")
        FAIL = "fail", _("Fail")
        ERROR = "error", _("Error")

    class Kind(models.TextChoices):
        SPF = "spf", "SPF"
        DKIM = "dkim", "DKIM"
        DMARC = "dmarc", "DMARC"
        ALIGNMENT = "alignment", _("DMARC alignment")
        MX = "mx", "MX"
        BOUNCE = "bounce", _("Bounce domain")
        FCRDNS = "fcrdns", _("Reverse DNS")

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
