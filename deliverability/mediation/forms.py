from django import forms
from django.utils.translation import gettext_lazy as _

from deliverability.models import MediationRequest, MonitoredTarget


class MediationForm(forms.ModelForm):
    """The standard Tier 1 mediation form (MISSION: DLV-3): the affected IPs and domains come from the
    account's own monitored targets."""

    ips = forms.MultipleChoiceField(
        label=_("Affected sending IPs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    domains = forms.MultipleChoiceField(
        label=_("Affected domains"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = MediationRequest
        fields = [
            "provider",
            "provider_name",
            "ips",
            "domains",
            "bounce_text",
            "first_seen",
            "daily_volume",
            "affected_percent",
            "complaint_rate",
            "sample_headers",
            "recent_changes",
        ]
        widgets = {
            "first_seen": forms.DateInput(attrs={"type": "date"}),
            "bounce_text": forms.Textarea(
                attrs={
                    "rows": 3,
                    "placeholder": "421 4.7.28 ... Our system has detected an unusual rate of unsolicited mail",
                }
            ),
            "sample_headers": forms.Textarea(attrs={"rows": 5}),
            "recent_changes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "bounce_text": _("Paste the exact bounce or deferral line the provider returned."),
            "complaint_rate": _("From the provider's feedback loop or Postmaster Tools, if you have it."),
            "recent_changes": _("New lists, new content, a volume jump, a DNS change, a new IP…"),
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        targets = MonitoredTarget.objects.filter(account=account).order_by("sort_key")
        self.fields["ips"].choices = [(t.value, t.value) for t in targets if t.is_ip]
        self.fields["domains"].choices = [(t.value, t.value) for t in targets if not t.is_ip]

    def clean_first_seen(self):
        from django.utils import timezone

        value = self.cleaned_data["first_seen"]
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("The first occurrence cannot be in the future."))
        return value

    def clean_affected_percent(self):
        value = self.cleaned_data["affected_percent"]
        if value is not None and not 0 < value <= 100:
            raise forms.ValidationError(_("Give a share between 1 and 100%."))
        return value

    def clean_complaint_rate(self):
        value = self.cleaned_data.get("complaint_rate")
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("Give a rate between 0 and 100%."))
        return value

    def clean(self):
        data = super().clean()
        if not data.get("ips") and not data.get("domains"):
            raise forms.ValidationError(_("Choose at least one affected IP or domain."))
        if data.get("provider") == "other" and not (data.get("provider_name") or "").strip():
            self.add_error("provider_name", _("Name the mailbox provider."))
        return data
