"""Factories of the Postmaster Tools models (issue 19)."""

from datetime import date

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from deliverability.models import PostmasterConnection, PostmasterDay, PostmasterDomain
from deliverability.reputation import postmaster_oauth
from tests.accounts.factories import AccountFactory, UserFactory


class PostmasterConnectionFactory(DjangoModelFactory):
    class Meta:
        model = PostmasterConnection

    account = factory.SubFactory(AccountFactory)
    refresh_token = factory.LazyFunction(lambda: postmaster_oauth.seal("1//r-factory"))
    connected_by = factory.SubFactory(UserFactory)
    connected_at = factory.LazyFunction(timezone.now)


class PostmasterDomainFactory(DjangoModelFactory):
    class Meta:
        model = PostmasterDomain

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"mail{n}.example")


class PostmasterDayFactory(DjangoModelFactory):
    class Meta:
        model = PostmasterDay

    account = factory.SubFactory(AccountFactory)
    domain = "acme.example"
    day = date(2026, 12, 1)
    spam_ratio = 0.0008
    domain_reputation = "HIGH"
    imported_at = factory.LazyFunction(timezone.now)
