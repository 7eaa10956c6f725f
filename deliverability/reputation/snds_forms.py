"""The SNDS key form (issue 19)."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class SndsKeyForm(forms.Form):
    key = forms.CharField(
        label=_("SNDS automated data access key"),
        max_length=200,
        strip=True,
        validators=[RegexValidator(r"^[A-Za-z0-9._~-]{8,}$", _("Paste the key exactly as SNDS shows it."))],
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "In SNDS: Automated Data Access, enable it for your IP ranges and copy the key. It is stored encrypted "
            "and shown once."
        ),
    )
