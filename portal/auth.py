import logging

from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import ValidationError

from accounts.invitations import password_reset_queue
from accounts.models import User
from core.network import client_ip
from core.ratelimit import allow, digest
from sso import policy

log = logging.getLogger(__name__)
HOUR = 60 * 60
RESETS_PER_CLIENT_PER_HOUR = 5  # one office behind one address asking for a few people
RESETS_PER_EMAIL_PER_HOUR = 3  # a person who did not see the first email asks again, not fifteen times


class InvitePasswordResetForm(PasswordResetForm):
    """Django's reset form skips people without a usable password; an invited person whose one-day link
    expired is exactly such a person, and must be able to ask for a new link."""

    def clean_email(self):
        """Someone whose company requires single sign-on has no password to reset (issue 20)."""
        email = self.cleaned_data["email"]
        connection = policy.requiring(email)
        if connection is not None:
            raise ValidationError(policy.refusal(connection))
        return email

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
