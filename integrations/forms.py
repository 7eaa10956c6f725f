from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core import netguard

from .models import Destination, EventType


class DestinationForm(forms.ModelForm):
    url = forms.URLField(
        label=_("URL"),
        max_length=500,
        assume_scheme="https",
        help_text=_("Slack or Teams: the incoming webhook's address. HTTPS: your endpoint; we sign every request."),
    )
    event_types = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[c for c in EventType.choices if c[0] != EventType.TEST],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Destination
        fields = ["name", "kind", "url", "event_types", "language", "timezone", "enabled"]
        help_texts = {
            "language": _("The language of Slack and Teams messages."),
            "timezone": _("Times in Slack and Teams messages are shown in this zone."),
        }

    def clean_url(self):
        url = self.cleaned_data["url"].strip()
        parts = urlsplit(url)
        if parts.scheme != "https" and not settings.WEBHOOKS_ALLOW_HTTP:
            raise forms.ValidationError(_("Use an https:// address."))
        if parts.username or parts.password:
            raise forms.ValidationError(_("Put no user name or password in the address."))
        if netguard.non_public(parts.hostname or "", networks=settings.WEBHOOKS_ALLOW_NETWORKS):
            raise forms.ValidationError(_("This address is not on the public internet."))
        return url
