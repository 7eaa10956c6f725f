"""The SNDS import against a local SNDS (issue 19): stored per (IP, day), the same day twice is the same
rows, an IP not monitored is kept and flagged, a rejected key, a 503 retried, one account's failure never
stopping another's, an event once per change."""

import pytest

from accounts.models import AuditEvent
from core.sealed import seal, unseal
from deliverability.models import SndsBlock, SndsConnection, SndsDay
from deliverability.reputation import snds_client, snds_services, snds_tasks
from integrations.models import Delivery
from tests.deliverability.factories import MonitoredTargetFactory
from tests.deliverability.snds.factories import KEY, SndsConnectionFactory
from tests.deliverability.snds.server import DATA
from tests.integrations.factories import DestinationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(world, snds_server, frozen):
    frozen("2026-12-01 13:00")
    for ip in ("192.0.2.10", "192.0.2.11", "192.0.2.12"):
        MonitoredTargetFactory(account=world.acme, value=ip)
    SndsConnectionFactory(account=world.acme)
    return world.acme


def test_the_key_is_sealed_shown_never_again_and_audited(world):
    connection = snds_services.snds_connect(account=world.acme, actor=world.alice, key=f"  {KEY} ")
    assert KEY not in connection.key_sealed and unseal(connection.key_sealed) == KEY
    assert connection.key_hint == "eeff"
    snds_services.snds_connect(account=world.acme, actor=world.alice, key="another-key-0001")
    assert SndsConnection.objects.get(account=world.acme).key_hint == "0001"
    assert snds_services.snds_disconnect(account=world.acme, actor=world.alice)
    actions = [e.details["action"] for e in AuditEvent.objects.filter(kind="snds_changed").order_by("pk")]
    assert actions == ["connected", "replaced", "removed"]
    assert not any(KEY in str(e.details) for e in AuditEvent.objects.all())


def test_import_stores_each_ip_and_day_once(acme, snds_server):
    snds_services.snds_import(account_id=acme.pk)
    snds_services.snds_import(account_id=acme.pk)  # the same day again: the same rows
    rows = {row.ip: row for row in SndsDay.objects.filter(account=acme)}
    assert set(rows) == {"192.0.2.10", "192.0.2.11", "192.0.2.12", "203.0.113.5"}
    assert SndsDay.objects.count() == 4
    assert rows["192.0.2.11"].filter_result == "red" and rows["192.0.2.11"].trap_hits == 14
    assert rows["203.0.113.5"].target is None  # kept, flagged on the page as not monitored
    assert rows["192.0.2.10"].target.value == "192.0.2.10"
    assert list(SndsBlock.objects.values_list("first_ip", flat=True)) == ["192.0.2.11"]
    connection = SndsConnection.objects.get(account=acme)
    assert connection.state == "ok" and connection.error == ""
    assert snds_server.requests == ["data.aspx", "ipStatus.aspx"] * 2


def test_new_figures_for_the_same_day_replace_the_old(acme, snds_server):
    snds_services.snds_import(account_id=acme.pk)
    snds_server.data[KEY] = DATA.replace(b"RED,2.3%", b"YELLOW,0.3%")
    snds_services.snds_import(account_id=acme.pk)
    row = SndsDay.objects.get(account=acme, ip="192.0.2.11")
    assert (row.filter_result, row.complaint_text) == ("yellow", "0.3%")


def test_a_rejected_key_is_said_and_not_retried(acme, snds_server):
    SndsConnection.objects.filter(account=acme).delete()
    SndsConnectionFactory(account=acme, key_sealed=seal("wrong-key-123"))
    result = snds_tasks.import_account.delay(acme.pk)
    assert result.get() == "rejected"
    connection = SndsConnection.objects.get(account=acme)
    assert connection.state == "rejected"
    assert "Microsoft rejected the key (HTTP 401)" in str(connection.error)
    assert snds_server.requests == ["data.aspx"]
    assert snds_tasks.import_all() == 0  # a rejected key waits for a new one
    assert not SndsDay.objects.exists()


def test_a_503_is_retried_and_nothing_is_lost(acme, snds_server):
    snds_server.fail = [503]
    snds_tasks.import_account.delay(acme.pk)  # eager: the retry runs at once
    assert snds_server.requests == ["data.aspx", "data.aspx", "ipStatus.aspx"]
    assert SndsDay.objects.filter(account=acme).count() == 4
    assert SndsConnection.objects.get(account=acme).state == "ok"


def test_a_failure_keeps_the_data_and_says_why(acme, snds_server):
    snds_services.snds_import(account_id=acme.pk)
    snds_server.fail = [503]
    with pytest.raises(snds_client.Temporary):
        snds_services.snds_import(account_id=acme.pk)
    connection = SndsConnection.objects.get(account=acme)
    assert connection.state == "failing" and "HTTP 503" in str(connection.error)
    assert SndsDay.objects.filter(account=acme).count() == 4


def test_one_accounts_failure_never_stops_anothers(acme, world, snds_server):
    SndsConnectionFactory(account=world.globex, key_sealed=seal("globex-bad-key"))
    assert snds_tasks.import_all() == 2
    assert SndsConnection.objects.get(account=world.globex).state == "rejected"
    assert SndsDay.objects.filter(account=acme).count() == 4


def test_the_red_event_once_per_change(acme, world, snds_server):
    DestinationFactory(account=acme, event_types=["reputation.snds_red"])
    DestinationFactory(account=world.globex, event_types=["reputation.snds_red"])
    snds_services.snds_import(account_id=acme.pk)
    snds_services.snds_import(account_id=acme.pk)
    (delivery,) = Delivery.objects.filter(event_type="reputation.snds_red")
    assert delivery.destination.account == acme
    assert '"ip": "192.0.2.11"' in delivery.body and '"trap_hits": 14' in delivery.body
    # the next day still red: no repeat; a day green, then red again: told again
    snds_server.data[KEY] = DATA.replace(b"11/30/2026", b"12/1/2026")
    snds_services.snds_import(account_id=acme.pk)
    assert Delivery.objects.filter(event_type="reputation.snds_red").count() == 1
    green = DATA.replace(b"RED,2.3%", b"GREEN,< 0.1%").replace(b",14,", b",0,")
    snds_server.data[KEY] = green.replace(b"11/30/2026", b"12/2/2026")
    snds_services.snds_import(account_id=acme.pk)
    snds_server.data[KEY] = DATA.replace(b"11/30/2026", b"12/3/2026")
    snds_services.snds_import(account_id=acme.pk)
    assert Delivery.objects.filter(event_type="reputation.snds_red").count() == 2


def test_a_key_no_sealing_key_opens_is_said(acme, settings, snds_server):
    settings.SEALING_KEYS = ["Xk3pbAVc2C3GmQZ1m2nq6y2cXoQy0tr2qR6cRtkUo0Y="]  # not the key it was sealed with
    assert snds_tasks.import_account.delay(acme.pk).get() == "rejected"
    connection = SndsConnection.objects.get(account=acme)
    assert connection.state == "rejected" and "The stored key cannot be read any more" in str(connection.error)
    assert snds_server.requests == []


def test_days_missed_are_asked_for_again(acme, snds_server):
    """The import stopped after 30 November (an outage); on 4 December SNDS gives the 3rd: the 1st and the
    2nd are asked for by date, so no day is lost."""
    snds_services.snds_import(account_id=acme.pk)
    snds_server.requests.clear()
    snds_server.data[KEY] = DATA.replace(b"11/30/2026", b"12/3/2026")
    snds_server.dated["120126"] = DATA.replace(b"11/30/2026", b"12/1/2026")
    snds_server.dated["120226"] = b"\r\n"  # a day with no data
    snds_services.snds_import(account_id=acme.pk)
    assert snds_server.requests == ["data.aspx", "data.aspx?date=120126", "data.aspx?date=120226", "ipStatus.aspx"]
    days = sorted({str(day) for day in SndsDay.objects.filter(account=acme).values_list("day", flat=True)})
    assert days == ["2026-11-30", "2026-12-01", "2026-12-03"]
