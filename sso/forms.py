"""The configuration form, the email-first sign-in form, and the password sign-in form that sends people of
a company that requires single sign-on to their company's sign-in instead."""

from allauth.account.forms import LoginForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import policy, saml
from .models import SsoConnection


class ConnectionForm(forms.ModelForm):
    """Both protocols' fields; the protocol chosen says which must be filled. Secrets are never shown again:
    an empty secret keeps the stored one."""

    oidc_client_secret = forms.CharField(
        label=_("client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the secret already saved."),
    )

    oidc_issuer = forms.URLField(
        label=_("issuer"), required=False, assume_scheme="https", help_text=_("e.g. https://example.okta.com")
    )
    saml_idp_sso_url = forms.URLField(label=_("identity provider sign-in URL"), required=False, assume_scheme="https")

    class Meta:
        model = SsoConnection
        fields = [
            "name",
            "protocol",
            "enabled",
            "default_role",
            "just_in_time",
            "require_sso",
            "oidc_issuer",
            "oidc_client_id",
            "oidc_client_secret",
            "saml_idp_entity_id",
            "saml_idp_sso_url",
            "saml_idp_x509_cert",
        ]

    REQUIRED = {
        SsoConnection.Protocol.OIDC: ("oidc_issuer", "oidc_client_id"),
        SsoConnection.Protocol.SAML: ("saml_idp_entity_id", "saml_idp_sso_url", "saml_idp_x509_cert"),
    }

    def clean_saml_idp_x509_cert(self) -> str:
        text = self.cleaned_data.get("saml_idp_x509_cert", "")
        if not text.strip():
            return ""
        try:
            return saml.certificate_pem(text)
        except ValueError:
            raise ValidationError(
                _("This is not an X.509 certificate: paste the identity provider's signing certificate (PEM).")
            ) from None

    def clean(self):
        data = super().clean()
        protocol = data.get("protocol")
        for name in self.REQUIRED.get(protocol, ()):
            if not data.get(name):
                self.add_error(name, _("Needed for this protocol."))
        stored = self.instance.pk and self.instance.oidc_client_secret
        if protocol == SsoConnection.Protocol.OIDC and not (data.get("oidc_client_secret") or stored):
            self.add_error("oidc_client_secret", _("Needed for this protocol."))
        return data

    def fieldsets(self) -> list[tuple[str, list]]:
        """The fields in groups: the connection, then each protocol's own."""
        groups = [(_("Connection"), []), (_("OpenID Connect"), []), (_("SAML 2.0"), [])]
        for field in self:
            index = 1 if field.name.startswith("oidc_") else 2 if field.name.startswith("saml_") else 0
            groups[index][1].append(field)
        return groups

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class DomainForm(forms.Form):
    domain = forms.CharField(label=_("Email domain"), max_length=253, help_text=_("e.g. example.com"))


class EmailForm(forms.Form):
    email = forms.EmailField(label=_("Work email"), widget=forms.EmailInput(attrs={"autocomplete": "email"}))


class SsoAwareLoginForm(LoginForm):
    """allauth's sign-in form, refusing the password of someone whose company requires single sign-on before
    the password is even tried (so no lockout counts it either)."""

    sso_connection = None  # set when refused: the sign-in page offers "Sign in with <name>" instead

    def clean(self):
        self.sso_connection = policy.requiring(self.data.get("login") or "")
        if self.sso_connection is not None:
            raise ValidationError(policy.refusal(self.sso_connection))
        return super().clean()
