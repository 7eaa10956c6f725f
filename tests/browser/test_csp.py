"""A tour of the portal in Chromium under the Content-Security-Policy: no page, fragment or htmx swap is
refused anything (a refused inline script, style element or foreign resource would be a broken feature under
the policy, or an inline handler that crept back). ASVS 14.4.3."""

import pytest

from tests.browser.conftest import log_in
from tests.cases.conftest import open_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CUSTOMER_PAGES = [
    "/a/acme/",
    "/a/acme/cases/",
    "/a/acme/cases/new/",
    "{case}",
    "/a/acme/team/",
    "/a/acme/deliverability/",
    "/a/acme/authentication/",
    "/a/acme/mediation/",
    "/a/acme/warmup/",
    "/a/acme/capacity/",
    "/a/acme/roadmap/",
    "/a/acme/migration/",
    "/a/acme/availability/",
    "/library/",
    "/profile/",
]
STAFF_PAGES = [
    "/console/",
    "/console/cases/",
    "/console/cases/{number}/",
    "/console/severity1/",
    "/console/inbound/",
    "/console/oncall/",
    "/console/listings/",
    "/console/mediation/",
    "/console/accounts/acme/audit/",
    "/a/acme/warmup/new/",
    "/a/acme/migration/new/",
    "/admin/",
    "/admin/accounts/account/",
    "/admin/cases/case/",
]


def refusals(page) -> list[str]:
    """What Chromium reports refusing under the policy, as console errors."""
    seen = []
    page.on(
        "console",
        lambda message: seen.append(message.text) if "Content Security Policy" in message.text else None,
    )
    return seen


def tour(page, urls: list[str]) -> dict[str, list[str]]:
    seen = refusals(page)
    refused = {}
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, url
        page.wait_for_load_state("networkidle")
        if seen:
            refused[url] = list(seen)
            seen.clear()
    return refused


def test_a_customer_tour_runs_under_the_policy(page, world):
    case = open_case(world)
    log_in(page, world.alice.email, world.password)
    urls = [u.replace("{case}", case.get_absolute_url()) for u in CUSTOMER_PAGES]
    assert tour(page, urls) == {}


def test_a_staff_tour_runs_under_the_policy(page, world):
    case = open_case(world)
    log_in(page, world.tina.email, world.password)
    urls = [u.replace("{number}", case.number) for u in STAFF_PAGES]
    assert tour(page, urls) == {}
