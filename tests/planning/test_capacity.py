"""Capacity and feature planning: the dedicated IP count from the rules of thumb, peak lead times and the warning when
a peak is closer than its lead time; the page for TAMs and customers. MISSION: TAM-5."""

from datetime import date, timedelta

import pytest

from planning.capacity import Peak, Rules, recommend
from planning.models import ActionItem, BusinessReview, CapacityRules, FeatureRequest, MonthlyForecast, PeakEvent
from planning.warmup import curve

TODAY = date(2026, 11, 1)


@pytest.mark.parametrize(
    ("monthly", "ips"),
    [
        ([100_000], 1),  # small: one IP
        ([249_999], 1),
        ([250_000], 2),  # from 250k a month: transactional and marketing apart
        ([90_000_000], 2),  # 3M a day: still two
        ([3_500_000 * 30], 2),  # exactly one IP's worth a day, but split anyway
        ([3_500_001 * 30], 2),  # a little over one IP: two by volume
        ([12_000_000 * 30], 4),  # 12M a day / 3.5M
    ],
)
def test_ip_count(monthly, ips):
    assert recommend(monthly, [], Rules(), TODAY).ips == ips


def test_no_volume_no_advice():
    advice = recommend([], [], Rules(), TODAY)
    assert advice.ips == 0 and advice.peaks == []


def test_a_peak_drives_the_count_and_its_lead_time():
    peak = Peak("Black Friday", date(2026, 11, 27), 8_000_000)
    advice = recommend([60_000_000], [peak], Rules(), TODAY)
    assert advice.ips == 3  # 8M / 3.5M
    (p,) = advice.peaks
    assert p.per_ip == 2_666_667
    assert p.lead_days == len(curve("sendgrid", 2_666_667))  # the ramp to that volume per IP
    assert p.start_by == peak.day - timedelta(days=p.lead_days)
    assert p.days_left == 26 and p.too_late == (26 < p.lead_days)


def test_a_peak_closer_than_its_lead_time_is_flagged_and_a_far_one_is_not():
    near = Peak("Flash sale", TODAY + timedelta(days=10), 1_000_000)
    far = Peak("Next Black Friday", TODAY + timedelta(days=300), 1_000_000)
    advice = recommend([], [far, near], Rules(), TODAY)
    assert [p.peak.name for p in advice.peaks] == ["Flash sale", "Next Black Friday"]  # soonest first
    assert advice.peaks[0].too_late and not advice.peaks[1].too_late


def test_too_many_ips_for_a_quiet_month_is_called_thin():
    rules = Rules(per_ip_daily=1_000_000)
    advice = recommend(
        [300_000, 300_000, 300_000], [Peak("Launch", TODAY + timedelta(days=90), 3_000_000)], rules, TODAY
    )
    assert advice.ips == 3 and advice.thin  # 10k a day typical over 3 IPs, under 50k each


def test_rules_are_editable(db):
    assert CapacityRules.current() == Rules()
    CapacityRules.objects.create(per_ip_daily=1_000_000, split_monthly=100_000, min_daily_per_ip=20_000, template="ses")
    assert CapacityRules.current() == Rules(1_000_000, 100_000, 20_000, "ses")


def test_the_page_for_a_tam_and_a_customer(client, world, frozen):
    frozen("2026-11-22 10:00")  # Black Friday is five days away on Acme's calendar
    client.force_login(world.tina)
    client.post("/a/acme/capacity/", {"m-month": "2026-12", "m-volume": "45000000"})
    client.post("/a/acme/capacity/", {"p-name": "Black Friday", "p-day": "2026-11-27", "p-daily_volume": "6000000"})
    assert MonthlyForecast.objects.get(account=world.acme).volume == 45_000_000
    page = client.get("/a/acme/capacity/").content.decode()
    assert "Recommended: 2 dedicated IPs." in page
    assert 'data-testid="too-late"' in page  # 5 days is closer than a 3M-per-IP ramp
    response = client.post("/a/acme/capacity/", {"m-month": "12/2026", "m-volume": "5"})
    assert "Write the month as 2027-03." in response.content.decode()

    client.force_login(world.arthur)  # a member reads, does not change
    assert "Black Friday" in client.get("/a/acme/capacity/").content.decode()
    assert client.post("/a/acme/capacity/", {"m-month": "2027-01", "m-volume": "1"}).status_code == 404
    peak = PeakEvent.objects.get()
    assert client.post(f"/a/acme/capacity/peak/{peak.pk}/remove/").status_code == 404
    client.force_login(world.bob)  # another account's people see nothing of Acme's
    assert client.get("/a/acme/capacity/").status_code == 404
    assert client.post(f"/a/globex/capacity/peak/{peak.pk}/remove/").status_code == 404
    assert PeakEvent.objects.filter(pk=peak.pk).exists()
    client.force_login(world.alice)
    client.post(f"/a/acme/capacity/peak/{peak.pk}/remove/")
    assert not PeakEvent.objects.exists()


def test_requests_reviews_and_actions(client, world):
    """MISSION: TAM-5 — the customer files a need; the TAM sets status, priority and notes; a business
    review with an owned, dated action that either side marks done."""
    client.force_login(world.arthur)
    client.post(
        "/a/acme/roadmap/", {"r-title": "Per-stream suppression lists", "r-description": "x", "r-priority": "2"}
    )
    request = FeatureRequest.objects.get(account=world.acme)
    assert request.created_by == world.arthur and request.status == "new"
    assert (
        client.post(f"/a/acme/roadmap/requests/{request.pk}/", {"status": "planned", "priority": "1"}).status_code
        == 404
    )
    client.force_login(world.tina)
    client.post(
        f"/a/acme/roadmap/requests/{request.pk}/", {"status": "planned", "priority": "1", "tam_notes": "Q1, with 2.3"}
    )
    client.post("/a/acme/roadmap/", {"v-held_on": "2026-11-20", "v-attendees": "Alice, Tina", "v-notes": "Q4 review"})
    review = BusinessReview.objects.get(account=world.acme)
    client.post(
        f"/a/acme/roadmap/reviews/{review.pk}/actions/",
        {"title": "Send DMARC reports", "owner": "Alice", "due_on": "2026-11-01"},
    )
    action = ActionItem.objects.get()
    assert action.overdue
    client.force_login(world.alice)
    page = client.get("/a/acme/roadmap/").content.decode()
    assert "Per-stream suppression lists" in page and "Planned" in page and "Q1, with 2.3" in page
    assert "Send DMARC reports" in page and "Overdue" in page
    client.post(f"/a/acme/roadmap/actions/{action.pk}/done/")
    action.refresh_from_db()
    assert action.done_at is not None and not action.overdue
    client.force_login(world.bob)  # Globex sees none of it, and cannot touch it
    assert client.get("/a/acme/roadmap/").status_code == 404
    assert client.post(f"/a/globex/roadmap/actions/{action.pk}/done/").status_code == 404
    assert client.post("/a/acme/roadmap/", {"v-held_on": "2026-11-21"}).status_code == 404
