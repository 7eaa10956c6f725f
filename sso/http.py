"""The ``requests`` session allauth talks to an identity provider with (discovery, token, keys, userinfo),
held to ``core.netguard``: each request's host is resolved once, every address checked (public, or in
``settings.SSO_ALLOW_NETWORKS``), and the connection made to that checked address while the name stays the
Host header, the TLS server name and the certificate's name (DNS rebinding cannot turn the IdP's name into
an internal address between the check and the connection). No proxies from the environment.

A host that is not allowed is a ``requests.ConnectionError``: allauth shows its sign-in error page."""

from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from core import netguard

TIMEOUT = 10  # seconds for each call to the identity provider


class PinnedAdapter(HTTPAdapter):
    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        name = host_params["host"]
        try:
            address = netguard.pin(name, networks=settings.SSO_ALLOW_NETWORKS)
        except (netguard.NotPublic, OSError) as error:
            raise requests.ConnectionError(f"identity provider not reachable: {error}", request=request) from error
        host_params["host"] = address
        if host_params["scheme"] == "https":
            pool_kwargs.update(server_hostname=name, assert_hostname=name)
        return host_params, pool_kwargs

    def send(self, request, **kwargs):
        request.headers["Host"] = urlsplit(request.url).netloc.rpartition("@")[2]
        kwargs["timeout"] = kwargs.get("timeout") or TIMEOUT
        return super().send(request, **kwargs)


def session() -> requests.Session:
    found = requests.Session()
    found.trust_env = False
    adapter = PinnedAdapter(max_retries=0)
    found.mount("http://", adapter)
    found.mount("https://", adapter)
    return found
