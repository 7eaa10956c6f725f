"""Issue 17, migration item: a peak in the past is refused (on the page and in the admin): capacity advice is
about days to come, on the account's calendar. MISSION: TAM-5."""

from planning.models import PeakEvent
from tests.helpers import visible_text


def test_a_peak_in_the_past_is_refused_and_today_is_kept(client, world, frozen):
    frozen("2026-11-22 10:00")  # 11:00 in Warsaw, Acme's zone
    client.force_login(world.tina)
    response = client.post("/a/acme/capacity/", {"p-name": "Last year", "p-day": "2025-11-28", "p-daily_volume": "1"})
    assert "A peak is a day still to come: 2025-11-28 has passed." in visible_text(response)
    assert not PeakEvent.objects.exists()
    client.post("/a/acme/capacity/", {"p-name": "Sunday sale", "p-day": "2026-11-22", "p-daily_volume": "5"})
    assert PeakEvent.objects.get().name == "Sunday sale"


def test_the_admin_refuses_a_past_peak_too(client, world, frozen):
    frozen("2026-11-22 10:00")
    client.force_login(world.root)
    data = {"account": world.acme.pk, "name": "Old", "day": "2026-11-21", "daily_volume": "5"}
    response = client.post("/admin/planning/peakevent/add/", data)
    assert "A peak is a day still to come: 2026-11-21 has passed." in visible_text(response)
    assert not PeakEvent.objects.exists()
