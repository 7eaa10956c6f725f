"""What SNDS feeds (issue 19): a RED day or trap hits on an IP a warm-up plan warms holds that plan's
Microsoft provider, saying why with the figure and SNDS as the source; the dashboard's "Microsoft: N of M
IPs green"; the console's accounts with RED or trap hits today."""

from datetime import date

import pytest

from deliverability.reputation import snds_services
from planning import warmup
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory
from tests.deliverability.snds.factories import SndsConnectionFactory
from tests.helpers import text, visible_text
from tests.planning.conftest import provider_row
from tests.planning.factories import WarmupPlanFactory, send_as_planned

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme(world, snds_server, frozen):
    """Acme's marketing stream warms 192.0.2.10 and .11 (SNDS: .11 RED with 14 trap hits on 30 November)."""
    frozen("2026-12-01 13:00")
    stream = MessageStreamFactory(account=world.acme, name="marketing")
    for ip in ("192.0.2.10", "192.0.2.11", "192.0.2.12"):
        MonitoredTargetFactory(account=world.acme, value=ip, stream=stream if ip != "192.0.2.12" else None)
    SndsConnectionFactory(account=world.acme)
    return world.acme


def test_a_signal_holds_a_day_that_would_advance():
    day = warmup.Day(date(2026, 11, 30), 1_000, 1_000, signals=(("snds_red", "192.0.2.11"),))
    assert warmup.decide(1_000, day, day_number=5) == ("hold", [("snds_red", "192.0.2.11")])
    clean = warmup.Day(date(2026, 11, 30), 1_000, 1_000)
    assert warmup.decide(1_000, clean, day_number=5)[0] == "advance"


def test_red_and_trap_hits_hold_the_plans_microsoft_provider(client, world, acme):
    plan = WarmupPlanFactory(account=acme, name="Marketing pool", start_date=date(2026, 11, 24))
    plan.sending_streams.add(acme.streams.get(name="marketing"))
    send_as_planned(plan, 7)  # 24–30 November, every day clean
    client.force_login(world.alice)
    assert provider_row(client.get(plan.get_absolute_url()), "microsoft").startswith("Microsoft Advance")
    snds_services.snds_import(account_id=acme.pk)
    response = client.get(plan.get_absolute_url())
    row = provider_row(response, "microsoft")
    assert row.startswith("Microsoft Hold")
    assert "Microsoft SNDS gave 192.0.2.11 a RED filter result (more than 90% judged spam)" in row
    assert "Microsoft SNDS counted 14 spam-trap hits from 192.0.2.11" in row
    assert provider_row(response, "gmail").startswith("Gmail Advance")


def test_a_red_day_without_actuals_holds_too(client, world, acme):
    plan = WarmupPlanFactory(account=acme, name="Marketing pool", start_date=date(2026, 11, 24))
    plan.sending_streams.add(acme.streams.get(name="marketing"))
    send_as_planned(plan, 6)  # the actuals of 30 November are not in yet; SNDS's are
    snds_services.snds_import(account_id=acme.pk)
    client.force_login(world.tina)
    row = provider_row(client.get(plan.get_absolute_url()), "microsoft")
    assert row.startswith("Microsoft Hold") and "RED filter result" in row


def test_an_ip_the_plan_does_not_warm_holds_nothing(client, world, acme):
    plan = WarmupPlanFactory(account=acme, name="Other pool", start_date=date(2026, 11, 24))
    other = MessageStreamFactory(account=acme, name="transactional")
    MonitoredTargetFactory(account=acme, value="198.51.100.7", stream=other)
    plan.sending_streams.add(other)
    send_as_planned(plan, 7)
    snds_services.snds_import(account_id=acme.pk)
    client.force_login(world.alice)
    assert provider_row(client.get(plan.get_absolute_url()), "microsoft").startswith("Microsoft Advance")


def test_the_dashboard_says_how_many_ips_are_green(client, world, acme):
    client.force_login(world.alice)
    assert "Microsoft reputation (SNDS)" in text(client.get("/a/acme/"))
    snds_services.snds_import(account_id=acme.pk)
    page = visible_text(client.get("/a/acme/"))
    assert "Microsoft: 1 of 3 IPs green" in page  # .10 green, .11 red, .12 an undocumented colour
    client.cookies.load({"django_language": "pl"})
    assert "Microsoft: 1 z 3 adresów IP zielonych" in visible_text(client.get("/a/acme/", HTTP_ACCEPT_LANGUAGE="pl"))


def test_no_panel_without_snds(client, world):
    client.force_login(world.alice)
    assert "Microsoft reputation (SNDS)" not in text(client.get("/a/acme/"))


def test_the_console_lists_accounts_red_or_trapped_today(client, world, acme, frozen):
    snds_services.snds_import(account_id=acme.pk)
    client.force_login(world.tina)
    page = visible_text(client.get("/console/"))
    assert "1 account with RED or spam-trap hits in Microsoft SNDS today" in page
    assert "Acme · 1 IP red · 14 trap hits" in page
    client.force_login(world.tess)  # Globex's TAM: not Acme's trouble
    assert "Microsoft SNDS today" not in visible_text(client.get("/console/"))
    frozen("2026-12-03 13:00")  # two days later nothing new came: not "today" any more
    client.force_login(world.tina)
    assert "Microsoft SNDS today" not in visible_text(client.get("/console/"))


def test_an_import_shows_on_a_console_already_open(client, world, acme, frozen):
    """The console keeps the panel in the cache (core/panel_cache.py, issue 18): the import moves it."""
    client.force_login(world.tina)
    for _ in range(2):
        assert "Microsoft SNDS today" not in visible_text(client.get("/console/"))
    snds_services.snds_import(account_id=acme.pk)
    assert "Acme · 1 IP red · 14 trap hits" in visible_text(client.get("/console/"))
    frozen("2026-12-01 23:59:59")  # the newest days are still the 30th and the 1st
    client.force_login(world.tina)
    assert "Acme · 1 IP red · 14 trap hits" in visible_text(client.get("/console/"))
    frozen("2026-12-02 00:00")  # the UTC day moved: the 30th is too old
    assert "Microsoft SNDS today" not in visible_text(client.get("/console/"))
