import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from portal.models import Heartbeat


class HeartbeatFactory(DjangoModelFactory):
    """A component's last sign of life (the worker, beat)."""

    class Meta:
        model = Heartbeat
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"component-{n}")
    seen_at = factory.LazyFunction(timezone.now)
    hostname = "worker-1"
