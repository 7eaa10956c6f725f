"""Browser defences on every kind of page (ASVS 14.4.3, 14.4.6, 14.4.7): a Content-Security-Policy that
allows no inline script and no foreign origin, Permissions-Policy, Referrer-Policy and
Cross-Origin-Opener-Policy. The Chromium tour (tests/browser/test_csp.py) checks that nothing breaks them."""

import pytest

from tests.helpers import HTMX

PAGES = {
    None: ["/login/", "/password/reset/"],
    "alice": ["/a/acme/", "/a/acme/cases/", "/a/acme/deliverability/", "/a/acme/warmup/", "/profile/"],
    "tina": ["/console/", "/console/cases/", "/admin/", "/console/accounts/acme/audit/"],
}


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(("who", "url"), [(who, url) for who, urls in PAGES.items() for url in urls])
def test_every_page_is_served_with_the_browser_defences(client, world, who, url):
    if who:
        client.force_login(getattr(world, who))
    response = client.get(url)
    assert response.status_code == 200, url
    policy = directives(response)
    assert policy["script-src"] == ["'self'"], policy  # no 'unsafe-inline', no 'unsafe-eval', no foreign origin
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]  # stylesheets only from us; style attributes run no code
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_an_htmx_fragment_carries_them_too(client, world):
    client.force_login(world.alice)
    response = client.get("/a/acme/panel/tam-card/", **HTMX)
    assert response.status_code == 200
    assert directives(response)["script-src"] == ["'self'"]
