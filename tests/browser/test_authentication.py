"""A customer whose DMARC record is missing sees the failure, the exact record to publish and the
recommended article, then opens a mediation request that lists the open recommendation; the TAM gets the
provider-ready text (MISSION DLV-1, DLV-3, DLV-4, TAM-6). DNS answers come from a real dnsmasq."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from playwright.sync_api import expect

from deliverability import services
from deliverability.blocklists.catalogue import DEFAULT_CATALOGUE
from deliverability.library.content import ARTICLES_DIR, read_article
from deliverability.models import Article, Blocklist, MediationRequest, MonitoredTarget
from tests.browser.conftest import log_in, screenshot
from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture, dkim_key  # noqa: F401
from tests.deliverability.factories import DmarcAddressFactory

pytestmark = pytest.mark.django_db(transaction=True)
INCLUDE = "_spf.portal.test"


@pytest.fixture
def broken_dmarc(world, authdns, authdns_settings, settings):
    # transactional tests empty the tables the data migrations filled: put the catalogue and articles back
    for entry in DEFAULT_CATALOGUE:
        Blocklist.objects.update_or_create(zone=entry["zone"], defaults={k: v for k, v in entry.items() if k != "zone"})
    for path in ARTICLES_DIR.glob("*.md"):
        fields = read_article(path)
        Article.objects.update_or_create(
            slug=fields["slug"],
            defaults={k: fields[k] for k in ("title", "summary", "category", "tags", "topics", "body")}
            # published long before the test's frozen clock, whatever an earlier test left in the row
            | {"status": "published", "published_at": datetime(2024, 1, 1, tzinfo=UTC)},
        )
    settings.PROVIDER_SPF_INCLUDE = INCLUDE
    authdns.serve(
        {
            "acme.example": {"TXT": [f"v=spf1 include:{INCLUDE} ~all"], "MX": [(10, "mx.acme.example")]},
            "mx.acme.example": {"A": ["198.51.100.200"]},
            INCLUDE: {"TXT": ["v=spf1 ip4:192.0.2.0/24 -all"]},
            "bounce.acme.example": {"CNAME": settings.PROVIDER_BOUNCE_HOST},
            settings.PROVIDER_BOUNCE_HOST: {"TXT": [f"v=spf1 include:{INCLUDE} -all"]},
            "s1._domainkey.acme.example": {"TXT": [f"v=DKIM1; k=rsa; p={dkim_key(2048)}"]},
            # no _dmarc.acme.example, and none at the organisational domain either
        }
    )
    services.targets_add(account=world.acme, actor=None, text="acme.example", role="from")
    services.targets_add(account=world.acme, actor=None, text="bounce.acme.example", role="bounce")
    MonitoredTarget.objects.filter(value="acme.example").update(dkim_selectors="s1")
    DmarcAddressFactory(account=world.acme, token="acmereports2026")  # issue 19: the rua= the page suggests
    return world


def test_broken_dmarc_fix_article_and_mediation(page, broken_dmarc, browser, live_server, frozen):
    frozen("2026-11-24 10:00", tick=True)  # the first-seen date below is within the year the form accepts
    world = broken_dmarc
    log_in(page, "alice@acme.test", world.password)
    page.goto("/a/acme/authentication/")
    page.get_by_role("button", name="Check now").click()
    attention = page.get_by_test_id("attention")
    expect(attention).to_contain_text("No DMARC record.", timeout=15000)
    expect(attention).to_contain_text(
        f'_dmarc.acme.example. TXT "v=DMARC1; p=none; rua=mailto:dmarc+acmereports2026@{settings.INBOUND_DOMAIN}"'
    )
    checklist = page.get_by_test_id("checklist")
    expect(checklist).to_contain_text("Not checked automatically")
    # SPF is checked where receivers check it (the bounce domain), so only DMARC fails (MISSION: DLV-1)
    expect(checklist.get_by_role("row", name="Both SPF and DKIM pass")).to_contain_text("Pass")
    expect(checklist.get_by_role("row", name="DMARC is published")).to_contain_text("Fail")
    expect(page.get_by_test_id("auth-bounce.acme.example")).to_contain_text("SPF (bounce domain)")
    recommended = page.get_by_test_id("recommended")
    expect(recommended).to_contain_text("SPF, DKIM and DMARC")
    expect(recommended).to_contain_text("Your DMARC check needs attention.")
    screenshot(page, "authentication-broken-dmarc")
    recommended.get_by_role("link", name="SPF, DKIM and DMARC").first.click()
    expect(page.get_by_test_id("article")).to_contain_text("_dmarc.example.com. TXT")

    page.goto("/a/acme/mediation/new/")
    expect(page.get_by_test_id("dlv4")).to_contain_text("Tier 2 mediation")
    page.get_by_label("Mailbox provider").select_option("gmail")
    expect(page.get_by_test_id("provider-fields")).to_contain_text("Postmaster Tools spam rate")  # Gmail's own
    page.get_by_label("acme.example", exact=True).check()
    page.get_by_label("Bounce or deferral text").fill(
        "421-4.7.28 Gmail has detected an unusual rate of unsolicited mail"
    )
    page.get_by_label("First seen").fill("2026-11-20")
    page.get_by_label("Messages a day to this provider").fill("50000")
    page.get_by_label("Share affected (%)").fill("30")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_test_id("open-recommendations")).to_contain_text("acme.example: No DMARC record.")
    page.get_by_label("I have read the open recommendations").check()
    page.get_by_role("button", name="Submit to my TAM").click()
    expect(page.get_by_test_id("status")).to_have_text("Submitted")
    screenshot(page, "mediation-submitted")

    item = MediationRequest.objects.get()
    tam = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="Europe/Warsaw").new_page()
    log_in(tam, "tina@tam.test", world.password)
    tam.goto(f"/console/mediation/{item.pk}/")
    expect(tam.get_by_test_id("provider-text")).to_contain_text("Hello Gmail (Google) postmaster team")
    expect(tam.get_by_test_id("provider-text")).not_to_contain_text("No DMARC record")  # issue 16: not for Gmail
    tam.get_by_label("What happened").select_option("responded")
    tam.get_by_label("Provider's response").fill("Limits lifted for 48 hours.")
    tam.get_by_role("button", name="Save").click()
    expect(tam.get_by_test_id("status")).to_have_text("Provider responded")
    tam.context.close()
