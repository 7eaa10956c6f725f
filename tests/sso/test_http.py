"""The session allauth reaches identity providers with (sso/http.py): through core.netguard, to the address
checked, with the name kept for the Host header, TLS's server name and the certificate check. A real HTTPS
server on loopback (tests/deliverability/policyweb.py) and a real DNS server (dnsmasq) stand in for the IdP."""

import pytest
import requests

from sso import http
from tests.deliverability.authdns import authdns_fixture  # noqa: F401
from tests.deliverability.policyweb import policyweb_fixture  # noqa: F401

URL = "https://idp.acme.test/o/.well-known/openid-configuration"


@pytest.fixture
def idp_name(authdns, policyweb, settings):
    authdns.serve({"idp.acme.test": {"A": [policyweb.address]}})
    settings.NETGUARD_NAMESERVERS = [authdns.nameserver]
    policyweb.serve(URL, '{"issuer": "https://idp.acme.test/o"}', "application/json")
    return policyweb


def session_trusting(web) -> requests.Session:
    found = http.session()
    found.verify = str(web.ca.bundle)
    return found


def test_the_idp_is_reached_at_the_checked_address_under_its_own_name(idp_name, settings):
    settings.SSO_ALLOW_NETWORKS = [f"{idp_name.address}/32"]
    answer = session_trusting(idp_name).get(URL)
    assert answer.status_code == 200  # the certificate for idp.acme.test matched: SNI and Host carried the name
    assert answer.json() == {"issuer": "https://idp.acme.test/o"}


def test_a_name_that_resolves_into_our_network_is_not_contacted(idp_name, settings):
    settings.SSO_ALLOW_NETWORKS = []
    with pytest.raises(requests.ConnectionError, match="non-public"):
        session_trusting(idp_name).get(URL)
