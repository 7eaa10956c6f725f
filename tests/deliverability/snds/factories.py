"""Factories for the Microsoft SNDS import (issue 19)."""

from datetime import UTC, date, datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.sealed import seal
from deliverability.models import SndsBlock, SndsConnection, SndsDay
from tests.accounts.factories import AccountFactory

KEY = "a1b2c3d4-e5f6-4711-8899-aabbccddeeff"


class SndsConnectionFactory(DjangoModelFactory):
    class Meta:
        model = SndsConnection

    account = factory.SubFactory(AccountFactory)
    key_sealed = factory.LazyFunction(lambda: seal(KEY))
    key_hint = KEY[-4:]


class SndsDayFactory(DjangoModelFactory):
    """One green day of one IP (a fixed day: tests pin the clock)."""

    class Meta:
        model = SndsDay

    account = factory.SubFactory(AccountFactory)
    ip = "192.0.2.10"
    day = date(2026, 11, 30)
    activity_start = datetime(2026, 11, 30, tzinfo=UTC)
    activity_end = datetime(2026, 12, 1, tzinfo=UTC)
    rcpt_commands = 1000
    data_commands = 990
    recipients = 985
    filter_result = SndsDay.Filter.GREEN
    filter_raw = "GREEN"
    complaint_text = "< 0.1%"
    trap_hits = 0
    sample_helo = "mta1.acme.example"
    sample_mail_from = "bounce@acme.example"


class SndsBlockFactory(DjangoModelFactory):
    class Meta:
        model = SndsBlock

    account = factory.SubFactory(AccountFactory)
    first_ip = "192.0.2.10"
    last_ip = "192.0.2.11"
    detail = "Blocked due to user complaints or other evidence of spamming"
    seen_at = factory.LazyFunction(timezone.now)
