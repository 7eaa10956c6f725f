"""DMARC aggregate reports (RFC 7489 section 7.2; issue 19): the account's report address, each report file
as it came (kept raw, replayable), and the per-day rollups the pages read. MISSION: DLV-1, DLV-2, DLV-3."""

import secrets

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account
from core.text import MessageField


def new_token() -> str:
    """Unguessable (about 80 bits), lower-case letters and digits only: the local part survives any MTA."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _i in range(16))


class DmarcAddressQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))


class DmarcAddress(models.Model):
    """The account's report mailbox: ``dmarc+<token>@<INBOUND_DOMAIN>``. Rotating makes a new token; the old
    one stops being accepted (reports sent to it are quarantined like unknown mail)."""

    account = models.OneToOneField(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="dmarc_address"
    )
    token = models.CharField(_("token"), max_length=32, unique=True, default=new_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = DmarcAddressQuerySet.as_manager()

    class Meta:
        verbose_name = _("DMARC report address")
        verbose_name_plural = _("DMARC report addresses")

    def __str__(self):
        return self.token


class DmarcReportQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def refused(self):
        return self.filter(status=DmarcReport.Status.REFUSED)

    def listed(self):
        """What a list of reports shows: everything but the file itself, newest first."""
        return self.defer("raw").order_by("-received_at", "-pk")

    def refused_first_for(self, user):
        """The report files of the accounts a staff member works on, refused ones first, then newest first (the
        staff console's DMARC panel)."""
        refused_first = models.Case(models.When(status=DmarcReport.Status.REFUSED, then=0), default=1)
        return (
            self.filter(account__in=Account.objects.staffed_by(user))
            .defer("raw")
            .select_related("account")
            .order_by(refused_first, "-received_at", "-pk")
        )


class DmarcReport(models.Model):
    """One report file as it arrived (zip, gzip or XML). Kept whatever happens to it: a refused file can be
    replayed by staff once the cause is fixed."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting")
        INGESTED = "ingested", _("counted")
        DUPLICATE = "duplicate", _("already counted")
        REFUSED = "refused", _("refused")

    class Source(models.TextChoices):
        EMAIL = "email", _("email")
        UPLOAD = "upload", _("upload")

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="dmarc_reports"
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    raw = models.BinaryField(_("file"))
    size = models.PositiveIntegerField(_("size"), default=0)
    sha256 = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = MessageField(_("reason"), blank=True)
    org_name = models.CharField(_("reporting organisation"), max_length=200, blank=True)
    report_id = models.CharField(_("report id"), max_length=200, blank=True)
    domain = models.CharField(_("domain"), max_length=253, blank=True)
    begins = models.DateTimeField(_("begins"), null=True, blank=True)
    ends = models.DateTimeField(_("ends"), null=True, blank=True)
    messages = models.PositiveIntegerField(_("messages"), default=0)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    ingested_at = models.DateTimeField(_("counted at"), null=True, blank=True)

    objects = DmarcReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("DMARC report")
        verbose_name_plural = _("DMARC reports")
        ordering = ["-received_at", "-pk"]
        constraints = [
            # the same file twice is one row; the same report (org + id) counts once
            models.UniqueConstraint(fields=["account", "sha256"], name="dmarc_report_unique_file"),
            models.UniqueConstraint(
                fields=["account", "org_name", "report_id"],
                condition=Q(status="ingested"),
                name="dmarc_report_counted_once",
            ),
        ]

    def __str__(self):
        return f"{self.org_name or self.filename} {self.report_id}".strip()

    @property
    def day(self):
        """The UTC day the report's records count on (None until it is read): see ``parse.report_day``."""
        from deliverability.dmarc_reports.parse import report_day

        return report_day(self.begins, self.ends) if self.begins and self.ends else None


class DmarcRollupQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))


class DmarcRollup(models.Model):
    """Messages one source sent as one From domain on one day, with one set of results."""

    account = models.ForeignKey(
        Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="dmarc_rollups"
    )
    day = models.DateField(_("day"))
    domain = models.CharField(_("From domain"), max_length=253)
    source_ip = models.GenericIPAddressField(_("source IP"))
    spf = models.CharField(_("SPF"), max_length=10)
    dkim = models.CharField(_("DKIM"), max_length=10)
    spf_aligned = models.BooleanField(_("SPF aligned"))
    dkim_aligned = models.BooleanField(_("DKIM aligned"))
    disposition = models.CharField(_("disposition"), max_length=10)
    messages = models.PositiveBigIntegerField(_("messages"), default=0)

    objects = DmarcRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("DMARC rollup")
        verbose_name_plural = _("DMARC rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "account",
                    "domain",
                    "day",
                    "source_ip",
                    "spf",
                    "dkim",
                    "spf_aligned",
                    "dkim_aligned",
                    "disposition",
                ],
                name="dmarc_rollup_key",
            )
        ]
        # the key serves one domain's pages; this serves "every domain, last 30 days" (list, checklist)
        indexes = [models.Index(fields=["account", "day"], name="dmarc_rollup_account_day")]

    def __str__(self):
        return f"{self.day} {self.domain} {self.source_ip}"


class DmarcDay(models.Model):
    """One From domain's messages on one day, and how many of them passed DMARC: the sum of its
    ``DmarcRollup`` rows, written in the same statement batch. The pages that read every domain (the report
    list, the checklist's measure) and the domain page's totals and chart read these few rows (domains x days)
    instead of summing every source's rows (issue 19: a year of rollups for 50 domains is millions of rows)."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="dmarc_days")
    domain = models.CharField(_("From domain"), max_length=253)
    day = models.DateField(_("day"))
    messages = models.PositiveBigIntegerField(_("messages"), default=0)
    aligned = models.PositiveBigIntegerField(_("aligned messages"), default=0)

    objects = DmarcRollupQuerySet.as_manager()

    class Meta:
        verbose_name = _("DMARC day")
        verbose_name_plural = _("DMARC days")
        constraints = [models.UniqueConstraint(fields=["account", "domain", "day"], name="dmarc_day_key")]
        # the key serves one domain's days; this serves "every domain, last 30 days" (list, checklist)
        indexes = [models.Index(fields=["account", "day"], name="dmarc_day_account_day")]

    def __str__(self):
        return f"{self.day} {self.domain}"


class ReverseName(models.Model):
    """The PTR name of a source IP, looked up after ingestion (never while parsing), shared by all accounts."""

    ip = models.GenericIPAddressField(_("IP address"), unique=True)
    name = models.CharField(_("reverse DNS"), max_length=253, blank=True)
    looked_up_at = models.DateTimeField(_("looked up at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reverse DNS name")
        verbose_name_plural = _("reverse DNS names")

    def __str__(self):
        return f"{self.ip} {self.name}"
