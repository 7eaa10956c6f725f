import hashlib
from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from cases.models import (
    CannedReply,
    Case,
    CaseAttachment,
    CaseEvent,
    CaseRating,
    CaseSearch,
    CaseSequence,
    ClockRecord,
    InboundMessage,
    OnCallShift,
    PendingNotification,
    PhoneIntake,
    SavedView,
    SlaAlert,
)
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


class CaseSequenceFactory(DjangoModelFactory):
    class Meta:
        model = CaseSequence

    account = factory.SubFactory(AccountFactory)
    prefix = factory.Sequence(lambda n: f"SEQ{n}")


class CaseAttachmentFactory(DjangoModelFactory):
    """A file on a case; it is written under MEDIA_ROOT (point that at a temporary directory)."""

    class Meta:
        model = CaseAttachment

    case = factory.SubFactory(CaseFactory)
    file = factory.django.FileField(filename="bounce.log", data=b"421 4.7.0 try again later\n")
    name = "bounce.log"
    content_type = "text/plain"
    size = 26


class SlaAlertFactory(DjangoModelFactory):
    class Meta:
        model = SlaAlert

    case = factory.SubFactory(CaseFactory)
    clock = SlaAlert.Clock.RESPONSE
    level = SlaAlert.Level.WARNING
    due_at = factory.LazyFunction(timezone.now)


class PendingNotificationFactory(DjangoModelFactory):
    class Meta:
        model = PendingNotification

    event = factory.SubFactory(CaseEventFactory)


def _raw_mail(n: int) -> bytes:
    return (
        f"From: alice@acme.test\r\nTo: support@acme.portal.test\r\nSubject: Question {n}\r\n"
        f"Message-ID: <q{n}@acme.test>\r\n\r\nHello.\r\n"
    ).encode()


class InboundMessageFactory(DjangoModelFactory):
    """A received message, not yet processed and claimed by nobody (``cases.email.ingest.store`` keeps a new one
    claimed by its delivery; this is one whose claim ran out, or one written before)."""

    class Meta:
        model = InboundMessage

    raw = factory.Sequence(_raw_mail)
    size = factory.LazyAttribute(lambda o: len(o.raw))
    fingerprint = factory.LazyAttribute(lambda o: hashlib.sha256(o.raw).hexdigest())


class PhoneIntakeFactory(DjangoModelFactory):
    """A Severity 1 call taken by an agent, not yet matched to an account."""

    class Meta:
        model = PhoneIntake

    received_at = factory.LazyFunction(timezone.now)
    taken_by = factory.SubFactory(AgentFactory)
    company_name = "ACME Corporation"
    contact_name = factory.Faker("name")
    contact_phone = "+48 600 100 200"
    contact_email = factory.Sequence(lambda n: f"caller{n}@customer.test")
    description = "Nothing goes out."
    callback_due_at = factory.LazyAttribute(lambda o: o.received_at + timedelta(minutes=15))


class CannedReplyFactory(DjangoModelFactory):
    class Meta:
        model = CannedReply

    name = factory.Sequence(lambda n: f"Canned reply {n}")
    body_en = "Hello {customer_name}, we are looking into {case_number}. {agent_name}"
    body_pl = "Dzień dobry {customer_name}, sprawdzamy {case_number}. {agent_name}"


class CaseSearchFactory(DjangoModelFactory):
    """An empty row; cases.search.index() fills the vectors from the case's text (PostgreSQL)."""

    class Meta:
        model = CaseSearch

    case = factory.SubFactory(CaseFactory)


class SavedViewFactory(DjangoModelFactory):
    class Meta:
        model = SavedView

    owner = factory.SubFactory(AgentFactory)
    name = factory.Sequence(lambda n: f"View {n}")
    filters = factory.LazyFunction(lambda: {"view": "mine", "severity": "critical"})


class ClockRecordFactory(DjangoModelFactory):
    """A running deadline (cases.services.ledger writes the real ones)."""

    class Meta:
        model = ClockRecord

    case = factory.SubFactory(CaseFactory)
    clock = "response"
    started_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=4))


class CaseRatingFactory(DjangoModelFactory):
    class Meta:
        model = CaseRating

    case = factory.SubFactory(CaseFactory)
    score = 5
