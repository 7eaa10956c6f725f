"""Postmaster Tools' "Import now" (issue 19): the account admin and the account's TAMs queue an import as a
Celery task after commit; a double click queues one; the page says queued, running, then done with the
result; rate-limited; audited. The admin lists the connections, domains and days read-only, filtered as a TAM
needs, and never shows a token."""

from datetime import date, timedelta

import pytest

from accounts.models import AuditEvent
from deliverability.models import PostmasterConnection
from deliverability.reputation import postmaster_oauth
from tests.deliverability.postmaster.conftest import DOMAIN
from tests.deliverability.postmaster.factories import (
    PostmasterConnectionFactory,
    PostmasterDayFactory,
    PostmasterDomainFactory,
)
from tests.helpers import visible_text

pytestmark = pytest.mark.django_db
PAGE, IMPORT = "/a/acme/reputation/", "/a/acme/reputation/postmaster/import/"
STATS = f"/v1/domains/{DOMAIN}/trafficStats"


@pytest.fixture
def connected(google, world, frozen):
    frozen("2026-12-06 16:00")
    google.add_days(DOMAIN, date(2026, 12, 1), 5)
    refresh, token = google.grant()
    return PostmasterConnectionFactory(
        account=world.acme,
        connected_by=world.alice,
        refresh_token=postmaster_oauth.seal(refresh),
        access_token=postmaster_oauth.seal(token),
        access_expires_at=None,
    )


def test_a_double_click_queues_one_import_and_the_page_follows_it(
    client, world, connected, google, english, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    assert "Import now" in visible_text(client.get(PAGE))
    with django_capture_on_commit_callbacks() as queued:
        first = client.post(IMPORT, follow=True)
        second = client.post(IMPORT, follow=True)
    assert "The import is queued; this page shows when it is done." in visible_text(first)
    assert "An import is already queued or running" in visible_text(second)
    assert "Import queued" in visible_text(second)
    page = client.get(PAGE, headers={"HX-Request": "true"})  # the polled status, alone
    assert 'hx-trigger="every 5s"' in page.content.decode() and "<h1" not in page.content.decode()
    assert AuditEvent.objects.filter(kind="postmaster_import_requested", actor=world.alice).count() == 1

    for callback in queued:  # the commit: the one task runs (eager Celery)
        callback()
    assert [path for _m, path in google.calls if path.startswith(STATS)].__len__() == 1
    connection = PostmasterConnection.objects.get(account=world.acme)
    assert connection.import_state == "done" and connection.import_result == {"domains": 1, "failed": 0, "days": 5}
    page = visible_text(client.get(PAGE))
    assert "Import done" in page and "5 days imported (domains: 1, failed: 0)." in page
    assert 'hx-trigger="every 5s"' not in client.get(PAGE).content.decode()  # done: no more polling


def test_running_is_shown_and_a_second_task_delivery_does_nothing(client, world, connected, google, english):
    from deliverability.reputation.postmaster_tasks import postmaster_import_now

    PostmasterConnection.objects.filter(pk=connected.pk).update(import_state="running")
    client.force_login(world.tina)  # the account's TAM
    assert "Import running" in visible_text(client.get(PAGE))
    assert postmaster_import_now(world.acme.pk) is None  # not queued: nothing claimed, Google not asked
    assert not [path for _m, path in google.calls if path.startswith(STATS)]


def test_imports_are_rate_limited(client, world, connected, settings, english, django_capture_on_commit_callbacks):
    settings.POSTMASTER_IMPORTS_PER_HOUR = 1
    client.force_login(world.tina)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(IMPORT)
    page = visible_text(client.post(IMPORT, follow=True))
    assert "Too many imports asked for: at most 1 an hour for this account. Try again later." in page
    assert AuditEvent.objects.filter(kind="postmaster_import_requested").count() == 1


def test_a_member_has_no_button(client, world, connected, english):
    client.force_login(world.arthur)
    assert "Import now" not in visible_text(client.get(PAGE))
    assert client.post(IMPORT).status_code == 404


def test_the_admin_lists_read_only_and_never_shows_a_token(
    client, world, connected, django_assert_max_num_queries, english
):
    PostmasterDomainFactory(account=world.acme, name=DOMAIN)
    for n in range(20):
        PostmasterDayFactory(account=world.acme, day=date(2026, 11, 1) + timedelta(days=n), domain_reputation="LOW")
    PostmasterDayFactory(account=world.globex, domain="globex.example", domain_reputation="BAD")
    client.force_login(world.tina)
    with django_assert_max_num_queries(20):
        days = client.get("/admin/deliverability/postmasterday/?domain_reputation=LOW&q=acme")
    assert days.status_code == 200 and "globex.example" not in days.content.decode()
    assert days.content.decode().count("acme.example") >= 20
    listing = client.get("/admin/deliverability/postmasterconnection/")
    assert listing.status_code == 200 and "Acme" in visible_text(listing)
    change = client.get(f"/admin/deliverability/postmasterconnection/{connected.pk}/change/").content.decode()
    for token in (connected.refresh_token, connected.access_token):
        assert bytes(token).decode() not in change
    assert "refresh token" not in change.lower() and "Save" not in visible_text(change)
    assert client.get("/admin/deliverability/postmasterdomain/").status_code == 200
