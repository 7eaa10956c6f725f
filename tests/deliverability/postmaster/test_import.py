"""The daily Postmaster Tools import (issue 19) against the local Google: the days since the last import,
written once per (domain, day) whatever the reruns; a day Google leaves out (low volume) stays absent; an
expired access token is refreshed; a revoked grant asks the admin to reconnect; a 429 or a 500 leaves the
days for the next run and none is lost; one domain's or one account's failure never stops the others; a
domain reputation drop is sent to the account's alert destinations once."""

import json
from datetime import date, timedelta

from deliverability.models import PostmasterConnection, PostmasterDay, PostmasterDomain
from deliverability.reputation import postmaster_import, postmaster_oauth
from deliverability.reputation.postmaster_tasks import postmaster_import_all
from integrations.models import Delivery
from tests.deliverability.postmaster.conftest import DOMAIN, OTHER
from tests.deliverability.postmaster.factories import PostmasterConnectionFactory
from tests.helpers import visible_text
from tests.integrations.factories import DestinationFactory

TODAY = "2026-12-06 16:00"
YESTERDAY = date(2026, 12, 5)
STATS = f"/v1/domains/{DOMAIN}/trafficStats"


def connected(google, account, *, access=True):
    refresh, token = google.grant()
    return PostmasterConnectionFactory(
        account=account,
        refresh_token=postmaster_oauth.seal(refresh),
        access_token=postmaster_oauth.seal(token) if access else b"",
        access_expires_at=None,
    )


def days(account, domain=DOMAIN):
    return list(PostmasterDay.objects.filter(account=account, domain=domain).order_by("day"))


def test_first_import_reads_90_days_all_pages_and_leaves_out_the_quiet_day(google, world, frozen):
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=299), 300)  # Google has more than we ask for
    quiet = YESTERDAY - timedelta(days=10)
    del google.days[DOMAIN][quiet]  # too little mail that day: absent from the answer
    connected(google, world.acme)
    result = postmaster_import.import_account(world.acme.pk)
    assert result == {"domains": 1, "failed": 0, "days": 89}
    stored = days(world.acme)
    assert stored[0].day == YESTERDAY - timedelta(days=89) and stored[-1].day == YESTERDAY
    assert quiet not in {d.day for d in stored}
    first = stored[-1]
    assert (first.spam_ratio, first.spam_ratio_lower, first.spam_ratio_upper) == (0.0008, 0.00064, 0.00096)
    assert first.domain_reputation == "HIGH" and first.dmarc_ratio == 0.997 and first.inbound_encryption_ratio == 1.0
    assert first.ip_reputations[0] == {"reputation": "HIGH", "ip_count": 2, "sample_ips": ["192.0.2.10", "192.0.2.11"]}
    assert first.delivery_errors == [
        {"error_class": "TEMPORARY_ERROR", "error_type": "RATE_LIMIT_EXCEEDED", "ratio": 0.0021}
    ]
    assert first.spammy_feedback_loops == [{"id": "newsletter-42", "spam_ratio": 0.004}]
    assert PostmasterDomain.objects.get(account=world.acme).imported_through == YESTERDAY


def test_a_rerun_updates_and_never_duplicates_and_the_next_day_asks_only_what_is_new(google, world, frozen):
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=4), 5)
    connected(google, world.acme)
    postmaster_import.import_account(world.acme.pk)
    google.days[DOMAIN][YESTERDAY]["userReportedSpamRatio"] = 0.0012  # Google completed the day later
    postmaster_import.import_account(world.acme.pk)
    assert len(days(world.acme)) == 5
    assert days(world.acme)[-1].spam_ratio == 0.0012
    frozen("2026-12-07 16:00")
    google.add_days(DOMAIN, date(2026, 12, 6), 1)
    google.calls.clear()
    postmaster_import.import_account(world.acme.pk)
    asked = [path for _m, path in google.calls if path.startswith(STATS)]
    # the two days before again (Google completes a day late), and the new day (the end date is exclusive)
    assert "startDate.day=4" in asked[0] and "endDate.day=7" in asked[0]
    assert len(days(world.acme)) == 6


def test_an_expired_access_token_is_refreshed_and_the_import_goes_on(google, world, frozen):
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY, 1)
    connection = connected(google, world.acme)
    PostmasterConnection.objects.filter(pk=connection.pk).update(access_expires_at="2026-12-06T17:00Z")
    google.expire_access_tokens()  # Google says 401 to the token we still believe in
    assert postmaster_import.import_account(world.acme.pk)["days"] == 1
    assert ("POST", "/token") in google.calls
    connection.refresh_from_db()
    assert postmaster_oauth.unseal(connection.access_token) in google.access_tokens


def test_a_revoked_grant_asks_for_reconnecting(google, world, frozen, client, english):
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY, 1)
    connected(google, world.acme, access=False)
    google.revoke_all()
    postmaster_import.import_account(world.acme.pk)
    connection = PostmasterConnection.objects.get(account=world.acme)
    assert connection.status == "reconnect"
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/reputation/"))
    assert "Reconnect needed" in page and "connect Postmaster Tools again" in page and "Connect again" in page
    assert postmaster_import.import_account(world.acme.pk) == {"domains": 0, "failed": 0, "days": 0}


def test_429_and_500_keep_the_days_for_the_next_run(google, world, frozen, client, english):
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=2), 3)
    google.add_days(OTHER, YESTERDAY - timedelta(days=2), 3)
    connected(google, world.acme)
    google.fail[STATS] = [429]
    result = postmaster_import.import_account(world.acme.pk)
    assert result == {"domains": 2, "failed": 1, "days": 3}  # the other domain was imported all the same
    assert days(world.acme) == [] and len(days(world.acme, OTHER)) == 3
    client.force_login(world.alice)
    page = visible_text(client.get("/a/acme/reputation/"))
    assert "Google asked us to slow down (HTTP 429); the missing days are imported on the next run." in page

    frozen("2026-12-07 16:00")
    google.add_days(DOMAIN, date(2026, 12, 6), 1)
    google.fail[STATS] = [500]
    postmaster_import.import_account(world.acme.pk)
    client.force_login(world.alice)  # a day later: a new session
    assert "Postmaster Tools did not answer (HTTP 500)" in visible_text(client.get("/a/acme/reputation/"))
    frozen("2026-12-08 16:00")
    postmaster_import.import_account(world.acme.pk)
    assert [d.day for d in days(world.acme)] == [
        date(2026, 12, 3),
        date(2026, 12, 4),
        date(2026, 12, 5),
        date(2026, 12, 6),
    ]
    assert PostmasterDomain.objects.get(account=world.acme, name=DOMAIN).error == ""


def test_one_accounts_failure_does_not_stop_the_others(google, world, frozen):
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY, 1)
    connected(google, world.acme)
    broken = PostmasterConnectionFactory(account=world.globex, refresh_token=postmaster_oauth.seal("1//r-gone"))
    assert postmaster_import_all() == 2
    broken.refresh_from_db()
    assert broken.status == "reconnect"
    assert len(days(world.acme)) == 1


def test_a_reputation_drop_is_sent_once(google, world, frozen, client, english):
    frozen(TODAY)
    hook = DestinationFactory(account=world.acme, event_types=["reputation.dropped"])
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=20), 20, reputation="HIGH")
    google.add_days(DOMAIN, YESTERDAY, 1, reputation="LOW", spam=0.0031)
    connected(google, world.acme)
    postmaster_import.import_account(world.acme.pk)
    postmaster_import.import_account(world.acme.pk)  # the same day again: not a new drop
    sent = Delivery.objects.filter(destination=hook)
    assert sent.count() == 1
    event = json.loads(sent.get().body)
    assert event["type"] == "reputation.dropped"
    assert event["data"] | {"url": ""} == {
        "domain": DOMAIN, "day": "2026-12-05", "from": "HIGH", "to": "LOW", "provider": "Gmail", "url": ""
    }  # fmt: skip
    client.force_login(world.tina)
    assert "Reputation dropped for 1 account today" in visible_text(client.get("/console/"))
    frozen("2026-12-07 16:00")
    client.force_login(world.tina)
    assert "No reputation drop today." in visible_text(client.get("/console/"))


def test_a_drop_shows_on_a_console_already_open_and_leaves_at_utc_midnight(google, world, frozen, client, english):
    """The console keeps the panel in the cache (core/panel_cache.py, issue 18): the import moves it."""
    frozen(TODAY)
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=20), 20, reputation="HIGH")
    google.add_days(DOMAIN, YESTERDAY, 1, reputation="LOW", spam=0.0031)
    connected(google, world.acme)
    client.force_login(world.tina)
    for _ in range(2):
        assert "No reputation drop today." in visible_text(client.get("/console/"))
    postmaster_import.import_account(world.acme.pk)
    assert "Reputation dropped for 1 account today" in visible_text(client.get("/console/"))
    frozen("2026-12-06 23:59:59")
    client.force_login(world.tina)  # the evening: signed in again
    assert "Reputation dropped for 1 account today" in visible_text(client.get("/console/"))
    frozen("2026-12-07 00:00")
    assert "No reputation drop today." in visible_text(client.get("/console/"))


def test_a_first_import_of_old_history_sends_no_drop(google, world, frozen):
    frozen(TODAY)
    hook = DestinationFactory(account=world.acme, event_types=["reputation.dropped"])
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=40), 10, reputation="HIGH")
    google.add_days(DOMAIN, YESTERDAY - timedelta(days=30), 31, reputation="MEDIUM")
    connected(google, world.acme)
    postmaster_import.import_account(world.acme.pk)
    assert not Delivery.objects.filter(destination=hook).exists()
    assert not PostmasterDay.objects.filter(dropped_at__isnull=False).exists()
