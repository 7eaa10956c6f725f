from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..blocklists.dnsbl import Kind, ZoneSpec, valid_zone, zone_spec


class BlocklistQuerySet(models.QuerySet):
    def active(self):
        """Enabled lists that can be asked: a list that needs a key is left out until the key is set."""
        keys = {name for name, value in settings.BLOCKLIST_KEYS.items() if value}
        return self.filter(enabled=True).filter(models.Q(requires_key=False) | models.Q(key_name__in=keys))

    def needing_a_key(self):
        keys = {name for name, value in settings.BLOCKLIST_KEYS.items() if value}
        return self.filter(enabled=True, requires_key=True).exclude(key_name__in=keys)

    def active_and_needing_a_key(self) -> tuple[list, list]:
        """``active()`` and ``needing_a_key()`` from one read of the enabled lists (the page shows both)."""
        keys = {name for name, value in settings.BLOCKLIST_KEYS.items() if value}
        enabled = list(self.filter(enabled=True))
        active = [bl for bl in enabled if not bl.requires_key or bl.key_name in keys]
        return active, [bl for bl in enabled if bl.requires_key and bl.key_name not in keys]


class Blocklist(models.Model):
    """One DNS blocklist in the catalogue, with the codes it documents (MISSION: DLV-2)."""

    class Importance(models.IntegerChoices):
        MAJOR = 1, _("Used by major mailbox providers")
        WIDE = 2, _("Widely used")
        SECONDARY = 3, _("Secondary")
        INFORMATIONAL = 4, _("Informational")

    class KeyName(models.TextChoices):
        NONE = "", _("None")
        SPAMHAUS_DQS = "spamhaus_dqs", _("Spamhaus Data Query Service key")
        ABUSIX = "abusix", _("Abusix Mail Intelligence key")

    zone = models.CharField(_("zone"), max_length=200, unique=True)
    name = models.CharField(_("name"), max_length=100)
    operator = models.CharField(_("operator"), max_length=100, blank=True)
    kind = models.CharField(_("kind"), max_length=6, choices=[(k.value, k.value) for k in Kind])
    ipv6 = models.BooleanField(_("also answers IPv6"), default=False)
    importance = models.PositiveSmallIntegerField(_("importance"), choices=Importance.choices, default=2)
    codes = models.JSONField(
        _("listing codes"), default=list, blank=True, help_text=_('[{"code": "127.0.0.2", "meaning": "SBL"}, ...]')
    )
    bits = models.JSONField(
        _("bitmask codes"), default=list, blank=True, help_text=_('[{"bit": 8, "meaning": "phishing"}, ...]')
    )
    errors = models.JSONField(
        _("error codes"), default=list, blank=True, help_text=_('[{"code": "127.255.255.254", "meaning": "..."}]')
    )
    registered_domain = models.BooleanField(
        _("query the registered domain"), default=False, help_text=_("URIBL-style lists (public suffix list).")
    )
    key_name = models.CharField(_("key"), max_length=20, choices=KeyName.choices, blank=True)
    keyed_zone = models.CharField(
        _("zone with a key"),
        max_length=200,
        blank=True,
        help_text=_("Used when the key is set: {key}.zen.dq.spamhaus.net"),
    )
    requires_key = models.BooleanField(_("needs the key"), default=False)
    delist_url = models.URLField(_("delisting URL"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)

    objects = BlocklistQuerySet.as_manager()

    class Meta:
        verbose_name = _("blocklist")
        verbose_name_plural = _("blocklists")
        ordering = ["importance", "kind", "name"]

    def __str__(self):
        return f"{self.name} ({self.zone})"

    def clean(self):
        self.zone = self.zone.strip().strip(".").lower()
        self.keyed_zone = self.keyed_zone.strip().strip(".").lower()
        # MISSION: DLV-2 — a zone no query can be built under (bad..zone) would fail every sweep it is in
        if not valid_zone(self.zone.replace("{key}", "")) or "{key}" in self.zone:
            raise ValidationError({"zone": _("Enter a DNS zone such as zen.spamhaus.org.")})
        if self.keyed_zone and not valid_zone(self.keyed_zone):
            raise ValidationError({"keyed_zone": _("Enter a DNS zone such as {key}.zen.dq.spamhaus.net.")})
        try:
            self.spec()
        except (ValueError, KeyError, TypeError) as exc:
            raise ValidationError(_("The codes are not valid: %(error)s") % {"error": exc}) from exc
        if self.keyed_zone and "{key}" not in self.keyed_zone:
            raise ValidationError({"keyed_zone": _("Write {key} where the key goes.")})
        if self.requires_key and not self.key_name:
            raise ValidationError({"key_name": _("Choose which key this list needs.")})

    def spec(self) -> ZoneSpec:
        key = settings.BLOCKLIST_KEYS.get(self.key_name, "") if self.key_name else ""
        return zone_spec(
            zone=self.zone,
            kind=self.kind,
            codes=self.codes or [],
            bits=self.bits or [],
            errors=self.errors or [],
            ipv6=self.ipv6,
            registered_domain=self.registered_domain,
            query_zone=self.keyed_zone.replace("{key}", key) if key and self.keyed_zone else "",
        )

    @property
    def is_ip(self) -> bool:
        return self.kind != Kind.DOMAIN
