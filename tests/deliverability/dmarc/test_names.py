"""Reverse DNS of report sources (issue 19): looked up by a task after counting, against a real DNS server
(dnsmasq), kept for a week, never during parsing; the domain page shows the name."""

from datetime import date

from deliverability.dmarc_reports import names, rollups
from deliverability.dmarc_reports.parse import Row
from deliverability.models import ReverseName
from tests.deliverability.authdns import authdns_fixture, authdns_settings_fixture  # noqa: F401


def test_names_are_looked_up_cached_and_shown(dmarc, world, client, authdns, authdns_settings, frozen):
    authdns_settings.DMARC_REVERSE_DNS = True
    authdns.serve({"192.0.2.10": {"PTR": "mta1.esp.example"}, "ns.test": {"A": ["192.0.2.53"]}})
    assert names.look_up(["192.0.2.10", "203.0.113.66"]) == 2
    found = dict(ReverseName.objects.values_list("ip", "name"))
    assert found == {"192.0.2.10": "mta1.esp.example", "203.0.113.66": ""}  # no PTR: looked up, empty
    assert names.look_up(["192.0.2.10", "203.0.113.66"]) == 0  # cached for a week
    frozen("2026-12-03 12:00")
    assert names.look_up(["192.0.2.10"]) == 1  # a week later: again
    frozen("2026-11-25 12:00")
    rollups.add(
        world.acme.pk, [Row(date(2026, 11, 20), "acme.example", "192.0.2.10", "pass", "pass", True, True, "none", 5)]
    )
    client.force_login(world.alice)
    assert "mta1.esp.example" in client.get("/a/acme/dmarc/domains/acme.example/").content.decode()
