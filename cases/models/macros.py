from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from cases import macros


class CannedReply(models.Model):
    """A macro (issue 15): a reply staff insert into the reply form, written in English and Polish, with
    placeholders (``cases.macros.PLACEHOLDERS``) filled from the case. Managed by staff through
    ``cases.services.macros`` (console and admin alike), each change audited."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    body_en = models.TextField(_("text in English"), max_length=5000)
    body_pl = models.TextField(_("text in Polish"), max_length=5000)
    active = models.BooleanField(_("offered in the reply form"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        for field in ("body_en", "body_pl"):
            unknown = macros.unknown_placeholders(getattr(self, field) or "")
            if unknown:
                errors[field] = macros.unknown_error(unknown)
        if errors:
            raise ValidationError(errors)

    def body_for(self, language: str) -> str:
        """The variant in ``language`` (Polish for "pl", English otherwise)."""
        return self.body_pl if language == "pl" else self.body_en
