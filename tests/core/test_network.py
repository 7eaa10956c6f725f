"""The client's address behind our proxies (core/network.py): the N-th X-Forwarded-For entry from the right."""

import pytest
from django.test import RequestFactory, override_settings

from core.network import client_ip


def request(xff: str | None = None, remote: str = "10.0.0.5"):
    meta = {"REMOTE_ADDR": remote}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (0, None, "10.0.0.5"),
        (0, "203.0.113.7", "10.0.0.5"),  # no proxies of ours: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # what the client wrote to the left proves nothing
        (1, "6.6.6.6,203.0.113.7 ", "203.0.113.7"),
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.4", "203.0.113.7"),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, None, "10.0.0.5"),  # not through our proxy (a health check on the host)
        (2, "203.0.113.7", "10.0.0.5"),
        (1, "6.6.6.6, not-an-address", "10.0.0.5"),
    ],
)
def test_client_ip_is_the_address_our_outermost_proxy_saw(count, xff, expected):
    with override_settings(PROXY_COUNT=count):
        assert client_ip(request(xff)) == expected


def test_the_client_address_is_read_in_one_place():
    """axes asks core.network.client_ip, and so does allauth (its adapter's ``get_client_ip``: rate limits,
    the sessions list); no other code reads the forwarded chain or REMOTE_ADDR itself."""
    from pathlib import Path

    from django.conf import settings

    assert settings.AXES_CLIENT_IP_CALLABLE == "core.network.client_ip"
    root = Path(settings.BASE_DIR)
    readers = {
        str(path.relative_to(root))
        for app in ("accounts", "availability", "cases", "core", "deliverability", "integrations", "planning", "portal")
        for path in (root / app).rglob("*.py")
        if any(name in path.read_text() for name in ("REMOTE_ADDR", "X_FORWARDED_FOR", "get_client_ip"))
    }
    assert readers == {"core/network.py", "accounts/adapters.py"}
    from accounts.adapters import AccountAdapter

    with override_settings(PROXY_COUNT=1):
        forwarded = request("1.2.3.4, 198.51.100.66")
        assert AccountAdapter().get_client_ip(forwarded) == client_ip(forwarded) == "198.51.100.66"
