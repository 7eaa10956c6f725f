import factory
from factory.django import DjangoModelFactory

from integrations.models import Attempt, Delivery, Destination
from tests.accounts.factories import AccountFactory


class DestinationFactory(DjangoModelFactory):
    class Meta:
        model = Destination
        skip_postgeneration_save = True

    account = factory.SubFactory(AccountFactory)
    kind = Destination.Kind.HTTPS
    name = factory.Sequence(lambda n: f"Endpoint {n}")
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/portal")
    event_types = factory.LazyFunction(lambda: ["case.opened", "case.critical"])
    secret = factory.LazyFunction(Destination.new_secret)


class DeliveryFactory(DjangoModelFactory):
    class Meta:
        model = Delivery

    destination = factory.SubFactory(DestinationFactory)
    event_id = factory.Sequence(lambda n: f"evt_{n:032x}")
    event_type = "case.opened"
    body = '{"type": "case.opened"}'


class AttemptFactory(DjangoModelFactory):
    class Meta:
        model = Attempt

    delivery = factory.SubFactory(DeliveryFactory)
    status_code = 200
    response = "ok"
    duration_ms = 12
