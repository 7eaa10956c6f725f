from datetime import date, time

import factory
from django.contrib.auth.hashers import make_password
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import (
    Account,
    ApiToken,
    AuditEvent,
    BusinessCalendar,
    CalendarException,
    Contact,
    DataExport,
    FormSubmission,
    Membership,
    OpeningWindow,
    OutboundEmail,
    StaffRole,
    User,
)

PASSWORD = "test-pass-2026"
# Every member of staff gets a TOTP authenticator with this secret unless told ``two_factor=False`` (staff must
# have a second factor: accounts/mfa.py); tests.helpers.totp_code() computes its current code.
TOTP_SECRET = "PORTALTESTSECRETPORTALTESTSECRET"


def add_totp(user, secret: str = TOTP_SECRET):
    """A TOTP authenticator, made the way allauth activates one."""
    from allauth.mfa.totp.internal.auth import TOTP

    return TOTP.activate(user, secret).instance


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@customer.test")
    full_name = factory.Faker("name")
    timezone = "Europe/Warsaw"
    # Hashed before the first save: one INSERT, not an INSERT and an UPDATE per person (the world of every
    # isolation test holds ten).
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


class BusinessCalendarFactory(DjangoModelFactory):
    """Mon–Fri 09:00–17:00 in Europe/Warsaw unless told otherwise."""

    class Meta:
        model = BusinessCalendar
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Office hours {n}")
    timezone = "Europe/Warsaw"

    @factory.post_generation
    def weekdays(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        opens, closes = extracted or (time(9), time(17))
        OpeningWindow.objects.bulk_create(
            OpeningWindow(calendar=obj, weekday=d, opens=opens, closes=closes) for d in range(5)
        )


class OpeningWindowFactory(DjangoModelFactory):
    class Meta:
        model = OpeningWindow

    calendar = factory.SubFactory(BusinessCalendarFactory, weekdays=False)
    weekday = 0
    opens = time(9)
    closes = time(17)


class CalendarExceptionFactory(DjangoModelFactory):
    class Meta:
        model = CalendarException

    calendar = factory.SubFactory(BusinessCalendarFactory)
    first = date(2026, 12, 24)  # a fixed day, never one drawn relative to today
    last = factory.SelfAttribute("first")
    closed = True


class StaffFactory(UserFactory):
    """A member of staff, with the second factor staff must have (``two_factor=False``: without)."""

    is_staff = True

    @factory.post_generation
    def two_factor(obj, create, extracted, **kwargs):
        if create and extracted is not False and not obj.authenticator_set.filter(type="totp").exists():
            add_totp(obj)


class TamFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"tam{n}@tam.test")
    is_staff = True
    staff_role = StaffRole.TAM
    phone = "+48 22 555 01 10"
    calendar = factory.SubFactory(BusinessCalendarFactory)


class AgentFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"agent{n}@support.test")
    is_staff = True
    staff_role = StaffRole.AGENT


class SuperuserFactory(StaffFactory):
    email = factory.Sequence(lambda n: f"admin{n}@portal.test")
    is_staff = True
    is_superuser = True


class AccountFactory(DjangoModelFactory):
    class Meta:
        model = Account
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Customer {n}")
    slug = factory.Sequence(lambda n: f"customer-{n}")
    support_email = factory.LazyAttribute(lambda o: f"support@{o.slug}.portal.test")
    primary_tam = factory.SubFactory(TamFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    account = factory.SubFactory(AccountFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    account = factory.SubFactory(AccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"contact{n}@customer.test")


class AuditEventFactory(DjangoModelFactory):
    """A plain row; the services write the real ones."""

    class Meta:
        model = AuditEvent

    account = factory.SubFactory(AccountFactory)
    actor = factory.SelfAttribute("account.primary_tam")
    kind = AuditEvent.Kind.MEMBER_ADDED
    details = factory.LazyFunction(lambda: {"email": "newcomer@customer.test", "role": "member"})


class OutboundEmailFactory(DjangoModelFactory):
    """An email waiting in the durable outbox (accounts/outbox.py sends it)."""

    class Meta:
        model = OutboundEmail

    kind = "test"
    account = factory.SubFactory(AccountFactory)
    to = factory.LazyFunction(lambda: ["someone@customer.test"])
    subject = factory.Faker("sentence", nb_words=5)
    body = factory.Faker("paragraph")
    next_attempt_at = factory.LazyFunction(timezone.now)


class ApiTokenFactory(DjangoModelFactory):
    """A token as ``accounts.services.api_token_issue`` stores it; ``key`` is the secret the customer holds."""

    class Meta:
        model = ApiToken
        exclude = ["key"]

    key = factory.LazyFunction(ApiToken.new_key)
    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Pipeline {n}")
    prefix = factory.LazyAttribute(lambda o: o.key[:8])
    key_hash = factory.LazyAttribute(lambda o: ApiToken.hash(o.key))
    created_by = factory.SelfAttribute("account.primary_tam")


class FormSubmissionFactory(DjangoModelFactory):
    """One use of a one-time form token (core/idempotency.py), with where its result is."""

    class Meta:
        model = FormSubmission

    key = factory.Sequence(lambda n: f"token:{n:032x}")
    user = factory.SubFactory(UserFactory)
    path = "/a/acme/cases/new/"
    result_url = "/a/acme/cases/ACME-000001/"


class DataExportFactory(DjangoModelFactory):
    """An export asked for and not built yet (portal.privacy builds the real ones)."""

    class Meta:
        model = DataExport

    account = factory.SubFactory(AccountFactory)
