from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Account, Membership, User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "job_title", "phone", "language", "timezone"]


class MemberAddForm(forms.Form):
    email = forms.EmailField(label=_("Email address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.MEMBER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class SessionPolicyForm(forms.ModelForm):
    class Meta:
        model = Account
        fields = ["session_idle_minutes", "session_max_hours"]


class TwoFactorRequirementForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor sign-in of everyone on the team"),
        required=False,
        help_text=_("Members without an authenticator app or a security key set one up at their next sign-in."),
    )
