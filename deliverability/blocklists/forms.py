from django import forms
from django.utils.translation import gettext_lazy as _

from deliverability.models import MessageStream, MonitoredTarget


class TargetsForm(forms.Form):
    """Add sending IPs (a stream groups them) and domains; one per line. MISSION: DLV-2."""

    targets = forms.CharField(
        label=_("IP addresses, networks up to /24, or domains"),
        widget=forms.Textarea(
            attrs={"rows": 4, "placeholder": "192.0.2.10\n198.51.100.0/28\n2001:db8::25\nmail.example.com"}
        ),
        max_length=200_000,
        help_text=_("One per line, or separated by spaces or commas."),
    )
    stream = forms.CharField(
        label=_("Message stream (for IPs)"),
        max_length=80,
        required=False,
        help_text=_("For example: transactional, marketing. A new name creates the stream."),
    )
    role = forms.ChoiceField(
        label=_("Role (for domains)"),
        choices=[c for c in MonitoredTarget.Role.choices if c[0] != MonitoredTarget.Role.SENDING_IP],
        initial=MonitoredTarget.Role.FROM,
    )

    def __init__(self, *args, rejected=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.rejected = list(rejected)


class TargetMoveForm(forms.Form):
    """Move a sending IP to another of the account's streams (empty: no stream)."""

    stream = forms.ModelChoiceField(queryset=MessageStream.objects.none(), required=False)

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stream"].queryset = MessageStream.objects.filter(account=account)
