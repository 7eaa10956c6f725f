import logging

from django import forms
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _

from accounts.invitations import password_reset_queue
from accounts.models import User
from core.network import client_ip
from core.ratelimit import allow, digest

log = logging.getLogger(__name__)
HOUR = 60 * 60
RESETS_PER_CLIENT_PER_HOUR = 5  # one office behind one address asking for a few people
RESETS_PER_EMAIL_PER_HOUR = 3  # a person who did not see the first email asks again, not fifteen times


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

    def save(self, *, request, **kwargs) -> None:
        """Queue the email through the outbox (retried, visible in the admin), within the limits per client
        address and per email address. The page that follows is the same whatever happened."""
        email = self.cleaned_data["email"]
        by_client = allow(f"password-reset:ip:{client_ip(request)}", limit=RESETS_PER_CLIENT_PER_HOUR, seconds=HOUR)
        by_email = allow(f"password-reset:email:{digest(email)}", limit=RESETS_PER_EMAIL_PER_HOUR, seconds=HOUR)
        if not (by_client and by_email):
            log.warning("password reset refused: over the hourly limit (client %s)", client_ip(request))
            return
        for user in self.get_users(email):
            password_reset_queue(user)


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True
