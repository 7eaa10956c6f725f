"""Blocklist alerts: one email per sweep and language to the alert contacts and the TAMs (alerts.py).

MISSION: DLV-2. A listing found by a sweep reaches the people who act on it, with the meaning, the
delisting request and the account's page; nothing is sent twice, and no tenant sees another's listings.
"""

import pytest

from accounts.notify import by_language
from deliverability import services
from deliverability.blocklists import alerts
from deliverability.models import ListingEvent, Sweep
from tests.accounts.factories import ContactFactory, UserFactory
from tests.cases.outbox import outbox
from tests.deliverability.factories import ListingEventFactory, MonitoredTargetFactory, SweepFactory, catalogue
from tests.deliverability.zones import catalogue_dns

BASE = "https://portal.example.test"


@pytest.fixture
def dns(settings, tmp_path, db):
    settings.PORTAL_BASE_URL = BASE
    with catalogue_dns(settings, tmp_path) as server:
        yield server


@pytest.fixture
def contacts(world):
    """Acme: an English alert contact, a contact whose login is in Polish, and one who wants no alerts."""
    UserFactory(email="marta@acme.test", language="pl")
    ContactFactory(account=world.acme, name="Ops", email="ops@acme.test", receives_alerts=True)
    ContactFactory(account=world.acme, name="Marta", email="Marta@acme.test", receives_alerts=True)
    ContactFactory(account=world.acme, name="Quiet", email="quiet@acme.test", receives_alerts=False)
    ContactFactory(account=world.globex, name="Globex ops", email="ops@globex.test", receives_alerts=True)


def sweep_now(account, capture) -> Sweep:
    with capture(execute=True):
        sweep = services.sweep_request(account=account, trigger=Sweep.Trigger.SCHEDULE)
    sweep.refresh_from_db()
    return sweep


def alert_mail(account=None):
    qs = outbox().filter(kind="blocklist.alert")
    return qs.filter(account=account) if account is not None else qs


def test_new_listings_reach_the_alert_contacts_and_the_tams(
    dns, world, contacts, django_capture_on_commit_callbacks, mailoutbox
):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11", stream_name="tx")
    services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.21")
    dns.serve(
        {
            "zen.spamhaus.org": ["192.0.2.10 :127.0.0.3:CSS listing for $", "203.0.113.21 :127.0.0.2:SBL for $"],
            "bl.spamcop.net": ["192.0.2.11"],
        }
    )
    sweep = sweep_now(world.acme, django_capture_on_commit_callbacks)

    rows = {tuple(row.to): row for row in alert_mail(world.acme)}
    assert set(rows) == {("ops@acme.test", "tina@tam.test", "tom@tam.test"), ("marta@acme.test",)}
    english = rows[("ops@acme.test", "tina@tam.test", "tom@tam.test")]
    assert english.subject == "[Acme] 2 new blocklist listings"
    assert english.reference == f"sweep-{sweep.pk}"
    assert english.headers["Auto-Submitted"] == "auto-generated"
    for body in (english.body, english.html_body):
        assert "192.0.2.10" in body and "192.0.2.11" in body and "(tx)" in body
        assert "Spamhaus ZEN" in body and "SpamCop" in body
        assert "CSS: snowshoe spam / low-reputation sending" in body
        assert "CSS listing for 192.0.2.10" in body  # the list's own reason (TXT)
        assert "https://check.spamhaus.org/" in body and "https://www.spamcop.net/bl.shtml" in body
        assert f"{BASE}/a/acme/deliverability/" in body
        assert "203.0.113.21" not in body and "Globex" not in body
    assert "quiet@acme.test" not in {addr for row in alert_mail() for addr in row.to}
    assert not ListingEvent.objects.filter(account=world.acme, alerted_at__isnull=True).exists()
    # the outbox was drained: the messages left, one per language
    sent = [m for m in mailoutbox if m.subject in {row.subject for row in rows.values()}]
    assert sorted(tuple(sorted(m.to)) for m in sent) == sorted(rows)
    assert not alert_mail(world.globex).exists()  # Globex was not swept


def test_another_accounts_alert_names_only_its_own_listings(dns, world, contacts, django_capture_on_commit_callbacks):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.21")
    dns.serve({"zen.spamhaus.org": ["192.0.2.10", "203.0.113.21"]})
    sweep_now(world.acme, django_capture_on_commit_callbacks)
    sweep_now(world.globex, django_capture_on_commit_callbacks)

    globex = alert_mail(world.globex).get()
    assert globex.to == ["ops@globex.test", "tess@tam.test"]
    assert "203.0.113.21" in globex.body and "192.0.2.10" not in globex.body and "Acme" not in globex.body
    for row in alert_mail(world.acme):
        assert "192.0.2.10" in row.body and "203.0.113.21" not in row.body and "Globex" not in row.body
        assert "tess@tam.test" not in row.to and "ops@globex.test" not in row.to


def test_a_sweep_without_events_sends_nothing(dns, world, contacts, django_capture_on_commit_callbacks):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    dns.serve({"zen.spamhaus.org": ["192.0.2.10"]})
    sweep_now(world.acme, django_capture_on_commit_callbacks)
    assert alert_mail(world.acme).count() == 2

    again = sweep_now(world.acme, django_capture_on_commit_callbacks)  # still listed: no transition
    assert again.status == Sweep.State.DONE and again.listed == 1
    assert alert_mail(world.acme).count() == 2
    assert alerts.send_alerts(again.pk) == 0


def test_a_delisting_is_reported_too(dns, world, contacts, django_capture_on_commit_callbacks):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10")
    dns.serve({"zen.spamhaus.org": ["192.0.2.10"]})
    sweep_now(world.acme, django_capture_on_commit_callbacks)
    dns.serve()
    second = sweep_now(world.acme, django_capture_on_commit_callbacks)

    (row,) = [r for r in alert_mail(world.acme).filter(reference=f"sweep-{second.pk}") if "tina@tam.test" in r.to]
    assert row.subject == "[Acme] 1 blocklist delisting"
    assert "Delisted" in row.body and "192.0.2.10" in row.body and "Newly listed" not in row.body


def test_send_alerts_twice_sends_once(world, contacts):
    sweep = SweepFactory(account=world.acme)
    target = MonitoredTargetFactory(account=world.acme, value="192.0.2.10")
    ListingEventFactory(target=target, sweep=sweep)
    ListingEventFactory(target=target, sweep=sweep, blocklist=catalogue("bl.spamcop.net"))

    assert alerts.send_alerts(sweep.pk) == 2
    assert alerts.send_alerts(sweep.pk) == 0
    assert alert_mail(world.acme).count() == 2  # English and Polish, once each
    # even if the events were not marked (a crash between the two), the outbox dedupe key holds
    ListingEvent.objects.update(alerted_at=None)
    alerts.send_alerts(sweep.pk)
    assert alert_mail(world.acme).count() == 2


def test_inactive_tams_and_contacts_without_alerts_get_nothing(world):
    ContactFactory(account=world.acme, email="quiet@acme.test", receives_alerts=False)
    world.tom.is_active = False
    world.tom.save()
    assert by_language(world.acme.alert_recipients()) == {"en": ["tina@tam.test"]}
