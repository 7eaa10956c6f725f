import ipaddress

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Account, TenantQuerySet

from ..blocklists.dnsbl import Kind, Status
from .catalogue import Blocklist

# a target's status on a list that the page's "problems only" shows: listed, or no conclusive answer
PROBLEMS = Q(statuses__listed=True) | Q(statuses__result__in=[Status.ERROR, Status.UNKNOWN])


class MessageStream(models.Model):
    """A group of sending IPs with one purpose: transactional, marketing, ..."""

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="streams")
    name = models.CharField(_("name"), max_length=80)
    description = models.CharField(_("description"), max_length=200, blank=True)

    objects = TenantQuerySet.as_manager()

    class Meta:
        verbose_name = _("message stream")
        verbose_name_plural = _("message streams")
        ordering = ["account", "name"]
        constraints = [models.UniqueConstraint(fields=["account", "name"], name="stream_unique_name")]

    def __str__(self):
        return self.name


class MonitoredTargetQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(account__in=Account.objects.visible_to(user))

    def archived(self):
        return self.filter(archived_at__isnull=False)

    def ips(self):
        return self.exclude(kind=Kind.DOMAIN)

    def sending_ips(self, account):
        """The account's sending IPs with their message stream, in address order: the public read other apps
        (planning's capacity advice) use to count the IPs an account already has."""
        return self.filter(account=account).ips().select_related("stream").order_by("sort_key")

    def domains(self):
        return self.filter(kind=Kind.DOMAIN)

    def from_domains(self):
        """The From domains: what the sender-authentication checks and DKIM selectors are about."""
        return self.filter(role=MonitoredTarget.Role.FROM)

    def with_listings(self):
        """Targets listed (last conclusive answer) on an active list: the page's "listings only"."""
        return self.filter(statuses__listed=True, statuses__blocklist__in=Blocklist.objects.active()).distinct()

    def with_problems(self):
        """Targets listed, or with an error or unknown answer, on an active list (the page's "problems")."""
        return self.filter(PROBLEMS, statuses__blocklist__in=Blocklist.objects.active()).distinct()


class CurrentTargetManager(models.Manager.from_queryset(MonitoredTargetQuerySet)):
    """What is monitored now: a removed target is archived (its listing history stays), and left out here."""

    def get_queryset(self):
        return super().get_queryset().filter(archived_at__isnull=True)


class MonitoredTarget(models.Model):
    """A sending IP (in a message stream) or a domain of the account, watched on the blocklists."""

    class Role(models.TextChoices):
        SENDING_IP = "ip", _("Sending IP")
        FROM = "from", _("From domain")
        BOUNCE = "bounce", _("Bounce (return-path) domain")
        TRACKING = "tracking", _("Tracking / link domain")
        OTHER = "other", _("Other domain")

    account = models.ForeignKey(Account, verbose_name=_("account"), on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(_("kind"), max_length=6, choices=[(k.value, k.value) for k in Kind])
    value = models.CharField(_("address or domain"), max_length=253)
    stream = models.ForeignKey(
        MessageStream,
        verbose_name=_("message stream"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="targets",
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.SENDING_IP)
    dkim_selectors = models.CharField(
        _("DKIM selectors"),
        max_length=200,
        blank=True,
        help_text=_("For From domains: the selectors you sign with, separated by spaces (s1 s2)."),
    )
    sort_key = models.CharField(max_length=253, editable=False, db_index=True)  # numeric order for addresses
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("added"), auto_now_add=True)
    # MISSION: DLV-2 — "removed" keeps the target's history: it is archived, and restored if added again
    archived_at = models.DateTimeField(_("removed"), null=True, blank=True)

    objects = CurrentTargetManager()
    all_objects = MonitoredTargetQuerySet.as_manager()  # archived ones too: history, restoring

    class Meta:
        verbose_name = _("monitored IP or domain")
        verbose_name_plural = _("monitored IPs and domains")
        ordering = ["account", "sort_key"]
        constraints = [models.UniqueConstraint(fields=["account", "value"], name="target_unique_value")]

    def __str__(self):
        return self.value

    def save(self, *args, **kwargs):
        self.sort_key = self.sort_key_for(self.kind, self.value)
        super().save(*args, **kwargs)

    @property
    def is_ip(self) -> bool:
        return self.kind != Kind.DOMAIN

    @property
    def display(self) -> str:
        """The address, or the domain in Unicode (an IDN is stored as punycode, shown as people write it)."""
        from ..blocklists.addresses import display_domain

        return display_domain(self.value) if self.kind == Kind.DOMAIN else self.value

    @staticmethod
    def sort_key_for(kind: str, value: str) -> str:
        """IPv4 before IPv6, each in numeric order; domains by name."""
        if kind == Kind.DOMAIN:
            return f"d:{value}"
        return f"{kind}:{ipaddress.ip_address(value).packed.hex()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from ..blocklists.addresses import require_public
        from ..blocklists.dnsbl import TargetError, host_of_url, parse_target

        try:
            target = parse_target(host_of_url(self.value.strip()))
            require_public(target.value)
        except TargetError as exc:
            raise ValidationError({"value": str(exc)}) from exc
        self.kind, self.value = target.kind.value, target.value
        if self.kind == Kind.DOMAIN and self.role == self.Role.SENDING_IP:
            self.role = self.Role.FROM
        if self.kind != Kind.DOMAIN:
            self.role = self.Role.SENDING_IP
