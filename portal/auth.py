from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class EmailAuthenticationForm(AuthenticationForm):
    """Sign in with an email address; the error names what the user typed, never whether it exists."""

    username = forms.EmailField(
        label=_("Email"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("That email and password do not match an account. Check both and try again."),
    }


class InvitePasswordResetForm(PasswordResetForm):
    """Django's reset form skips people without a usable password; an invited person whose one-day link
    expired is exactly such a person, and must be able to ask for a new link."""

    def get_users(self, email):
        return User.objects.filter(email__iexact=email, is_active=True).iterator()


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True
