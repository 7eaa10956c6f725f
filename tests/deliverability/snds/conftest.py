import pytest

from tests.deliverability.snds.server import SndsServer


@pytest.fixture
def snds_server(settings):
    """The loopback SNDS; the portal may reach loopback for SNDS in these tests only."""
    with SndsServer() as server:
        settings.SNDS_BASE_URL = server.url
        settings.SNDS_ALLOW_NETWORKS = ["127.0.0.0/8"]
        yield server
