"""Acme's signed endpoint on the loopback receiver (``receiver``: tests/conftest.py), which does what the
documentation tells a customer to do (``tests.helpers.verified``)."""

import pytest

from integrations.models import EventType
from tests.integrations.factories import DestinationFactory


@pytest.fixture
def endpoint(world, receiver):
    """Acme's signed HTTPS endpoint (plain http on loopback here), subscribed to every event type."""
    d = DestinationFactory(account=world.acme, name="Ops endpoint", url=f"{receiver.url}/hook",
                           event_types=[t for t in EventType.values if t != "test"])  # fmt: skip
    receiver.secret = d.secret
    return d
