import pytest

from deliverability.dmarc_reports import address, services
from deliverability.models import MonitoredTarget
from tests.deliverability.factories import MonitoredTargetFactory

INBOUND_DOMAIN = "reports.portal.test"


@pytest.fixture
def dmarc(world, settings, frozen):
    """Acme monitors acme.example and its two sending IPs; the clock is 25 November 2026 (UTC); Acme's
    report address exists. Returns Acme's report mailbox."""
    settings.INBOUND_DOMAIN = INBOUND_DOMAIN
    frozen("2026-11-25 12:00")
    MonitoredTargetFactory(account=world.acme, kind="domain", value="acme.example", role=MonitoredTarget.Role.FROM)
    MonitoredTargetFactory(account=world.acme, kind="ip4", value="192.0.2.10")
    MonitoredTargetFactory(account=world.acme, kind="ip4", value="192.0.2.11")
    return address.mailbox(services.address_for(world.acme).token)
