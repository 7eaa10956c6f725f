"""Factories for availability (MISSION: AV-1): the account's profile, per-second rollups, ingest batches,
incident alerts. Seconds are fixed Unix times, never drawn relative to now."""

import hashlib

import factory
from factory.django import DjangoModelFactory

from availability.models import AvailabilityProfile, IncidentAlert, IngestBatch, SecondRollup
from tests.accounts.factories import AccountFactory

SECOND = 1_793_000_000  # 2026-10-26 07:33:20 UTC, a Monday


class AvailabilityProfileFactory(DjangoModelFactory):
    class Meta:
        model = AvailabilityProfile
        django_get_or_create = ["account"]

    account = factory.SubFactory(AccountFactory)
    # target_pct: the model's default (a Decimal; the float 99.99 it once was failed full_clean()).


class SecondRollupFactory(DjangoModelFactory):
    """One unavailable API second: every attempt failed."""

    class Meta:
        model = SecondRollup

    account = factory.SubFactory(AccountFactory)
    channel = 1
    second = factory.Sequence(lambda n: SECOND + n)
    attempts = 5
    failures = 5


class IngestBatchFactory(DjangoModelFactory):
    class Meta:
        model = IngestBatch

    account = factory.SubFactory(AccountFactory)
    digest = factory.Sequence(lambda n: hashlib.sha256(f"batch {n}".encode()).hexdigest())
    source = "attempts.csv"


class IncidentAlertFactory(DjangoModelFactory):
    class Meta:
        model = IncidentAlert

    account = factory.SubFactory(AccountFactory)
    start = factory.Sequence(lambda n: SECOND + 3600 * n)
    channels = "api"
