from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliverability.blocklists.dnsbl import Kind, TargetError, parse_target
from deliverability.mediation.providers import SPECIFIC_FIELDS, form_for
from deliverability.models import MediationRequest, MonitoredTarget

OLDEST = timedelta(days=366)  # a block older than a year is not a mediation request but a new start


class MediationForm(forms.ModelForm):
    """The standard Tier 1 mediation form (MISSION: DLV-3): the affected IPs and domains come from the
    account's own monitored targets."""

    ips = forms.MultipleChoiceField(
        label=_("Affected sending IPs"), required=False, widget=forms.CheckboxSelectMultiple
    )
    domains = forms.MultipleChoiceField(
        label=_("Affected domains"), required=False, widget=forms.CheckboxSelectMultiple
    )
    attach_dmarc = forms.BooleanField(
        label=_("Attach what DMARC reports measured (aligned mail per domain, last 30 days)"), required=False
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
            *SPECIFIC_FIELDS,
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
            "ndr_code": _("From the bounce, e.g. 5.7.515 (Microsoft's code for mail that fails authentication)."),
            "dkim_domain": _("The d= domain of your DKIM signature: Yahoo's feedback loop is keyed on it."),
            "spam_rate": _("User-reported spam rate from Google Postmaster Tools; Gmail's target is under 0.10%."),
        }

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.account = account
        targets = MonitoredTarget.objects.filter(account=account).order_by("sort_key")
        self.fields["ips"].choices = [(t.value, t.value) for t in targets if t.is_ip]
        self.fields["domains"].choices = [(t.value, t.value) for t in targets if not t.is_ip]
        self.fields["attach_dmarc"].initial = bool(self.instance.dmarc_evidence)

    def save(self, commit=True):
        """The DMARC evidence is a snapshot of the figures when the request is saved (issue 19)."""
        from deliverability.dmarc_reports.measure import evidence

        item = super().save(commit=False)
        attach = self.cleaned_data.get("attach_dmarc")
        item.dmarc_evidence = evidence(self.account, item.domains or None) if attach else ""
        if commit:
            item.save()
        return item

    @property
    def provider(self) -> str:
        """The provider whose fields to show: what was posted, else the request's own."""
        value = self.data.get("provider") if self.is_bound else self.initial.get("provider")
        return value if value in MediationRequest.Provider.values else ""

    def provider_fields(self):
        """The chosen provider's own fields; every provider's when none is chosen yet (no JavaScript)."""
        names = form_for(self.provider).fields if self.provider else SPECIFIC_FIELDS
        return [self[name] for name in names]

    def common_fields(self):
        return [field for field in self if field.name not in SPECIFIC_FIELDS]

    def clean_first_seen(self):
        # MISSION: DLV-3 — a date the customer can have seen: not after today where the customer is (the
        # account's day or the person's, never the server's UTC), not absurdly old.
        value = self.cleaned_data["first_seen"]
        today = max(self.account.today(), timezone.localdate())  # the account's day or the reader's, the later
        if value and value > today:
            raise forms.ValidationError(_("The first occurrence cannot be in the future."))
        if value and value < today - OLDEST:
            raise forms.ValidationError(_("Give a date within the last year."))
        return value

    def clean_dkim_domain(self):
        value = (self.cleaned_data.get("dkim_domain") or "").strip()
        if not value:
            return ""
        try:
            target = parse_target(value)
        except TargetError as exc:
            raise forms.ValidationError(str(exc)) from exc
        if target.kind != Kind.DOMAIN:
            raise forms.ValidationError(_("Give a domain name, not an IP address."))
        return target.value

    def clean_spam_rate(self):
        value = self.cleaned_data.get("spam_rate")
        if value is not None and not 0 <= value <= 100:
            raise forms.ValidationError(_("Give a rate between 0 and 100%."))
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
        asked = form_for(data.get("provider", "")).fields
        for name in SPECIFIC_FIELDS:  # another provider's answers do not travel in this one's text
            if name not in asked:
                data[name] = MediationRequest._meta.get_field(name).get_default()
        if data.get("provider") == "microsoft" and not data.get("ndr_code"):
            self.add_error("ndr_code", _("Give the enhanced status code from Microsoft's bounce, e.g. 5.7.515."))
        if data.get("provider") == "yahoo" and not data.get("dkim_domain"):
            self.add_error("dkim_domain", _("Give the DKIM d= domain your mail is signed with."))
        return data
