"""The current code of the demo staff's second factor (``make run``): what an authenticator app holding
``seed_demo.DEMO_TOTP_SECRET`` would show now. Computed with allauth's own TOTP functions."""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.management.base import BaseCommand

from .seed_demo import DEMO_TOTP_SECRET


class Command(BaseCommand):
    help = "Print the current two-factor code of the demo staff (the published demo TOTP secret)."

    def handle(self, *args, **options):
        now = int(time.time())
        period = app_settings.TOTP_PERIOD
        code = format_hotp_value(hotp_value(DEMO_TOTP_SECRET, now // period))
        self.stdout.write(f"{code}  (valid for {period - now % period} more seconds)")
