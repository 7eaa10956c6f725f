import pytest

from tests.deliverability.googlefake import FakeGoogle

DOMAIN, OTHER = "acme.example", "news.acme.example"


@pytest.fixture
def google(settings):
    """Google's OAuth endpoints and the Postmaster Tools API on loopback, the settings pointed at them."""
    with FakeGoogle() as fake:
        fake.settings(settings)
        yield fake
