from celery import shared_task
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from .models import Membership


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_invitation(*, membership_id: int, invited: bool) -> str:
    """Tell a person they were added to a team; a new person gets a link to choose a password.

    Safe to run twice: the worst outcome is a second e-mail with a fresh link."""
    membership = Membership.objects.select_related("account", "user").filter(pk=membership_id).first()
    if membership is None:
        return "gone"
    user = membership.user
    context = {
        "membership": membership,
        "account": membership.account,
        "user": user,
        "invited": invited,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        "set_password_path": reverse(
            "password_reset_confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
        if invited
        else "",
        "portal_name": settings.PORTAL_NAME,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("accounts/email/invitation_subject.txt", context).strip()
        body = render_to_string("accounts/email/invitation.txt", context)
    EmailMultiAlternatives(subject=subject, body=body, to=[user.email]).send()
    return "sent"
