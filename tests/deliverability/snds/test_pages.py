"""The Microsoft SNDS page (issue 19): the key entered once and then shown by its last four characters,
the test button, per IP the days' colours with what Microsoft saw (escaped), another account's page like a
missing one, Polish."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.sealed import seal
from deliverability.models import SndsConnection
from tests.deliverability.factories import MonitoredTargetFactory
from tests.deliverability.snds.factories import KEY, SndsConnectionFactory, SndsDayFactory
from tests.helpers import HTMX, assert_same_404, text

pytestmark = pytest.mark.django_db
SNDS_PAGE = "/a/acme/reputation/microsoft/"


@pytest.fixture
def imported(world, snds_server, frozen, client):
    frozen("2026-12-01 13:00")
    for ip in ("192.0.2.10", "192.0.2.11"):
        MonitoredTargetFactory(account=world.acme, value=ip)
    SndsConnectionFactory(account=world.acme)
    client.force_login(world.alice)
    assert client.post(f"{SNDS_PAGE}test/").status_code == 302
    return world.acme


def test_the_key_is_shown_once_then_by_its_last_four_characters(client, world, snds_server):
    client.force_login(world.alice)
    page = client.post(f"{SNDS_PAGE}key/", {"key": KEY})
    assert page.status_code == 200
    assert KEY in text(page) and "…eeff" in text(page)
    again = text(client.get(SNDS_PAGE))
    assert KEY not in again and "…eeff" in again
    assert SndsConnection.objects.get(account=world.acme).key_hint == "eeff"


def test_a_key_that_is_not_one_is_refused(client, world):
    client.force_login(world.alice)
    page = client.post(f"{SNDS_PAGE}key/", {"key": "<b>no</b>"})
    assert page.status_code == 400 and "Paste the key exactly as SNDS shows it." in text(page)
    assert not SndsConnection.objects.exists()


def test_the_page_per_ip(client, imported, django_assert_max_num_queries):
    with django_assert_max_num_queries(12):
        page = text(client.get(SNDS_PAGE))
    assert "Connected: Microsoft SNDS answered and its data is imported." in page
    assert page.count('<tr data-ip="') == 4
    assert 'data-ip="203.0.113.5"' in page and page.count("not one of your monitored IPs") == 2  # .12 too, here
    assert "2.3%" in page and "&lt; 0.1%" in page and ">14<" in page
    assert "Blocked due to user complaints" in page
    assert "Source: Microsoft Smart Network Data Services (SNDS)" in page
    assert page.count('fill="#c62828"') == 1 and page.count("<rect") == 4 * 30
    assert "&ldquo;PURPLE&rdquo;" in page or "“PURPLE”" in page
    assert page.count("<rect") * 3 == text(client.get(f"{SNDS_PAGE}?days=90")).count("<rect")


def test_the_page_costs_the_same_queries_for_4_ips_or_44(client, imported, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as few:
        client.get(SNDS_PAGE)
    for n in range(40):
        for day in range(5):
            SndsDayFactory(account=imported, ip=f"198.51.100.{n}", day=date(2026, 11, 26 + day), filter_result="red")
    with django_assert_max_num_queries(len(few)):
        page = text(client.get(SNDS_PAGE))
    assert page.count('<tr data-ip="') == 44


def test_what_microsoft_saw_is_escaped(client, imported):
    page = text(client.get(SNDS_PAGE))
    assert "<script>" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;helo&quot;)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;@evil.example" in page


def test_a_rejected_key_is_shown(client, world, snds_server):
    SndsConnectionFactory(account=world.acme, key_sealed=seal("bad-key-42"))
    client.force_login(world.alice)
    client.post(f"{SNDS_PAGE}test/")
    page = text(client.get(SNDS_PAGE))
    assert "key rejected" in page and "Microsoft rejected the key (HTTP 401): enter a new one" in page
    client.cookies.load({"django_language": "pl"})
    page = text(client.get(SNDS_PAGE, HTTP_ACCEPT_LANGUAGE="pl"))
    assert "klucz odrzucony" in page and "Microsoft odrzucił klucz (HTTP 401): wprowadź nowy" in page


def test_remove_keeps_the_data(client, imported):
    assert client.post(f"{SNDS_PAGE}remove/").status_code == 302
    page = text(client.get(SNDS_PAGE))
    assert "Not connected." in page and 'data-ip="192.0.2.11"' in page


def test_another_accounts_page_is_like_a_missing_one(client, world, imported):
    client.force_login(world.alice)
    client.get(SNDS_PAGE)  # the test's message read
    assert_same_404(client, "/a/globex/reputation/microsoft/", "/a/nowhere/reputation/microsoft/")
    assert_same_404(client, "/a/globex/reputation/microsoft/test/", "/a/nowhere/reputation/microsoft/test/", "post")
    client.force_login(world.arthur)  # a member reads, but does not change the key
    assert client.get(SNDS_PAGE).status_code == 200
    assert_same_404(client, f"{SNDS_PAGE}remove/", "/a/nowhere/reputation/microsoft/remove/", "post")
    assert SndsConnection.objects.filter(account=world.acme).exists()


def test_polish(client, imported):
    client.cookies.load({"django_language": "pl"})
    page = text(client.get(SNDS_PAGE, HTTP_ACCEPT_LANGUAGE="pl"))
    assert "nie jest jednym z Twoich monitorowanych adresów IP" in page
    assert "Źródło: Microsoft Smart Network Data Services (SNDS)" in page
    assert "Czerwony" in page


def test_htmx_reads_the_page_too(client, imported):
    assert client.get(SNDS_PAGE, headers=HTMX).status_code == 200


def test_days_are_written_as_the_reader_writes_them_never_in_the_us_format(client, imported, world):
    page = text(client.get(SNDS_PAGE))
    assert 'data-testid="snds-latest-day">30 Nov<' in page and "11/30/2026" not in page
    assert "30 Nov: Red, 14 trap hits" in page  # the strip's day titles
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    polish = text(client.get(SNDS_PAGE))
    assert 'data-testid="snds-latest-day">30 lis<' in polish and "11/30/2026" not in polish
    assert "30 lis, 1:00 CET – 1 gru, 1:00 CET" in polish  # Microsoft's activity times, in the reader's zone and clock
