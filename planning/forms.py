from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from . import ingest, warmup
from .models import DEFAULT_SPLIT, MigrationPlan, WarmupPlan


class WarmupPlanForm(forms.ModelForm):
    """A plan from a template, with the split across mailbox providers and their caps (MISSION: DLV-1)."""

    class Meta:
        model = WarmupPlan
        fields = [
            "name",
            "template",
            "start_date",
            "target_daily",
            "custom_start",
            "custom_growth",
            "sending_streams",
            "notes",
        ]
        widgets = {"start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),  # ISO: a Polish browser
                   "notes": forms.Textarea(attrs={"rows": 2}),
                   "sending_streams": forms.CheckboxSelectMultiple}  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        streams = self.fields["sending_streams"]  # the account's monitored streams only (MISSION: DLV-1)
        streams.queryset = streams.queryset.filter(account=self.instance.account).prefetch_related("targets")
        current = {row["provider"]: row for row in (self.instance.providers or DEFAULT_SPLIT)}
        for provider in warmup.PROVIDERS:
            name = warmup.PROVIDER_NAMES[provider]
            self.fields[f"share_{provider}"] = forms.DecimalField(
                label=_("%(p)s share (%%)") % {"p": name}, min_value=0, max_value=100, decimal_places=1,
                initial=current.get(provider, {}).get("percent", 0),
            )  # fmt: skip
            self.fields[f"cap_{provider}"] = forms.IntegerField(
                label=_("%(p)s daily cap in week one") % {"p": name}, min_value=1, required=False,
                initial=current.get(provider, {}).get("cap"),
            )  # fmt: skip

    def clean(self):
        data = super().clean()
        shares = [data.get(f"share_{p}") or 0 for p in warmup.PROVIDERS]
        if round(sum(shares), 1) != 100:
            raise forms.ValidationError(
                _("The shares add up to %(total)s%%; they must add up to 100%%.") % {"total": sum(shares)}
            )
        ips = count_ips(data.get("sending_streams") or [])
        if error := target_error(data, ips):
            self.add_error("target_daily", error)
        if data.get("template") == WarmupPlan.Template.CUSTOM:
            if not data.get("custom_start"):
                self.add_error("custom_start", _("A custom ramp needs the first day's volume."))
            if not data.get("custom_growth") or data["custom_growth"] <= 1:
                self.add_error("custom_growth", _("A custom ramp needs a daily growth above 1 (1.4 is +40% a day)."))
        return data

    def save(self, commit=True):
        plan = super().save(commit=False)
        plan.providers = [
            {
                "provider": p,
                "percent": float(self.cleaned_data[f"share_{p}"] or 0),
                "cap": self.cleaned_data.get(f"cap_{p}"),
            }
            for p in warmup.PROVIDERS
        ]
        if commit:
            plan.save()
        return plan


def target_error(data: dict, ips: int) -> str | None:
    """The form's template and target checked against the top its IPs reach (None when fine or not given)."""
    if not data.get("target_daily") or not data.get("template"):
        return None
    return WarmupPlan(template=data["template"], target_daily=data["target_daily"]).target_error(ips)


def count_ips(streams) -> int:
    """The sending IPs of the chosen monitored streams (each counted once)."""
    return len({target.value for stream in streams for target in stream.targets.all() if target.is_ip})


class WarmupPlanAdminForm(forms.ModelForm):
    """The admin's plan: the same target check for the streams' IPs, and only the account's streams."""

    class Meta:
        model = WarmupPlan
        fields = ["account", "name", "template", "start_date", "target_daily", "custom_start", "custom_growth",
                  "sending_streams", "ips", "streams", "providers", "status", "notes", "created_by"]  # fmt: skip

    def clean(self):
        data = super().clean()
        streams = data.get("sending_streams") or []
        account = data.get("account") or getattr(self.instance, "account", None)
        if any(stream.account_id != getattr(account, "pk", None) for stream in streams):
            self.add_error("sending_streams", _("Choose message streams of the plan's account."))
        elif error := target_error(data, count_ips(streams)):
            self.add_error("target_daily", error)
        return data


class ActualsUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        error_messages={
            "required": _("Choose a CSV file."),
            "empty": _("The file is empty: it needs a header row and a row per day and provider."),
        },
        help_text=format_lazy(
            _(
                "Columns: date, provider, sent, delivered, bounced (hard bounces), blocked (policy blocks, 5.7.x), "
                "complaints, deferrals (4xx), rate_limited (of the deferrals, 421/451), spam_rate (optional: Gmail's "
                "spam rate in Postmaster Tools, in %); separated by commas or semicolons. One row per day and "
                "provider, at most {rows} rows and 5 MB a file."
            ),
            rows=f"{ingest.MAX_ROWS:,}",
        ),
    )


class MigrationPlanAdminForm(forms.ModelForm):
    """A migration plan in the admin: the version it was read at travels with the form, so a save after
    someone else's is refused instead of overwriting it (MISSION: TAM-3)."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = MigrationPlan
        fields = ["account", "name", "previous_provider", "start_date", "weeks", "warmup_plan", "rollback_criteria",
                  "status", "notes"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            current = MigrationPlan.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if cleaned.get("seen_version") != current:
                raise forms.ValidationError(
                    _(
                        "Someone else saved this plan while you were editing it. Nothing of yours was saved: your "
                        "changes are still in the form below. Compare them with the plan as it is now, then save again."
                    )
                )
        return cleaned
