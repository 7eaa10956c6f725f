from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import Case, CaseEvent, OnCallShift
from tests.accounts.factories import AccountFactory, AgentFactory


class CaseFactory(DjangoModelFactory):
    """A plain row; to open a case the way users do, call cases.services.case_open instead."""

    class Meta:
        model = Case

    account = factory.SubFactory(AccountFactory)
    number = factory.Sequence(lambda n: f"TEST-{n:06d}")
    subject = factory.Faker("sentence", nb_words=6)
    description = factory.Faker("paragraph")
    severity = Case.Severity.NON_CRITICAL
    category = Case.Category.BUG


class CaseEventFactory(DjangoModelFactory):
    class Meta:
        model = CaseEvent

    case = factory.SubFactory(CaseFactory)
    kind = CaseEvent.Kind.REPLY
    body = factory.Faker("sentence")


class OnCallShiftFactory(DjangoModelFactory):
    class Meta:
        model = OnCallShift

    agent = factory.SubFactory(AgentFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now() - timedelta(hours=1))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=8))
