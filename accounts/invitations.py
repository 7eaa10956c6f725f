"""Set-password links: telling a person they were added to a team (MISSION: TAM-1), where a new person gets
a one-day link to choose a password, and the password-reset email. The link is made when the email leaves
the outbox, never stored where staff could read it."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership, OutboundEmail, User
from .notify import absolute_url, notify
from .outbox import made_at_send_time

KIND = "account.invitation"
RESET_KIND = "account.password_reset"
SET_PASSWORD_PLACEHOLDER = "{SET_PASSWORD_URL}"


def set_password_url(user: User) -> str:
    return absolute_url(
        reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    )


def invitation_queue(membership: Membership, *, invited: bool) -> None:
    """Queue the invitation, in the person's language; the set-password link is a placeholder until sent."""
    notify(
        kind=KIND,
        recipients=[membership.user],
        template="accounts/email/invitation",
        context={
            "membership": membership,
            "account": membership.account,
            "user": membership.user,
            "invited": invited,
            "portal_name": settings.PORTAL_NAME,
            "set_password_url": SET_PASSWORD_PLACEHOLDER if invited else "",
        },
        link="/",
        account=membership.account,
        reference=f"membership-{membership.pk}",
    )


def password_reset_queue(user: User) -> None:
    """Queue the reset email, in the person's language; the link is a placeholder until sent."""
    notify(
        kind=RESET_KIND,
        recipients=[user],
        template="accounts/email/password_reset",
        context={"site_name": settings.PORTAL_NAME, "set_password_url": SET_PASSWORD_PLACEHOLDER},
        reference=f"user-{user.pk}",
    )


@made_at_send_time(KIND)
@made_at_send_time(RESET_KIND)
def fill_set_password_url(row: OutboundEmail) -> str:
    if SET_PASSWORD_PLACEHOLDER not in row.body:
        return row.body
    user = User.objects.filter(email__iexact=row.to[0]).first()
    return row.body.replace(SET_PASSWORD_PLACEHOLDER, set_password_url(user) if user else "")
