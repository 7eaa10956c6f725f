"""What the availability page and the dashboard panel say (MISSION: AV-1, CR-0): a healthy month is green, a
month without attempts is "no data", incident times carry their zone, the incidents of the 90 days the bars
show, each channel's uptime, and a critical case already opened for an incident is linked, not offered again."""

import csv
import io
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest

from accounts.models import OutboundEmail
from availability import alerts
from availability.alerts import case_for
from availability.ledger import API, SMTP, Incident
from availability.models import AvailabilityProfile, SecondRollup
from cases.services import case_open
from tests.helpers import feed_attempts as feed

pytestmark = pytest.mark.django_db
PAGE = "/a/acme/availability/"


def section(page: str, testid: str) -> str:
    return page.split(f'data-testid="{testid}"')[1].split("</section>")[0].split("</table>")[0]


def test_a_healthy_month_per_channel_with_zoned_times_and_90_days_of_incidents(client, world, frozen):
    frozen("2026-11-20 12:00")
    feed(
        world.acme,
        [f"2026-11-10T10:00:{s:02d}Z,api,timeout" for s in range(10)] + ["2026-11-10T10:01:00Z,smtp,success"],
    )
    feed(world.acme, [f"2026-09-25T08:00:0{s}Z,smtp,timeout" for s in range(5)])  # 56 days ago; October: nothing
    client.force_login(world.alice)  # Europe/Warsaw
    page = client.get(PAGE).content.decode()
    assert '<section class="notice ok" data-testid="this-month">' in page  # 10 s of a 259.2 s budget: not amber
    assert "API: 99.9996% · SMTP: 100.0000%" in section(page, "by-channel")
    incidents = section(page, "incidents")
    assert "10 Nov 2026 11:00:00 CET" in incidents and "10 Nov 2026 11:00:10 CET" in incidents
    assert "25 Sep 2026 10:00:00 CEST" in incidents  # a previous month, within the 90 days of the bars
    history = section(page, "history")
    october = history.split("October 2026</a></td>")[1].split("</tr>")[0]
    assert "no data" in october and "%" not in october
    assert "99.9998%" in history.split("September 2026</a></td>")[1].split("</tr>")[0]
    dashboard = client.get("/a/acme/").content.decode()
    panel = dashboard.split('data-testid="availability-panel"')[1].split("</p>")[0]
    assert 'class="badge neutral"' in panel and "badge warn" not in panel and "1 incident" in panel
    assert "Last month: no data" in " ".join(panel.split())


def test_a_month_without_attempts_is_no_data_not_100(client, world, frozen):
    frozen("2026-11-20 12:00")
    feed(world.acme, ["2026-10-15T10:00:00Z,api,success"])
    client.force_login(world.alice)
    page = client.get(PAGE).content.decode()
    this = section(page, "this-month")
    assert "No data" in this and "100.0000%" not in this and "notice ok" not in page
    dashboard = client.get("/a/acme/").content.decode()
    panel = " ".join(dashboard.split('data-testid="availability-panel"')[1].split("</p>")[0].split())
    assert "No data" in panel and "Last month: 100.0000%" in panel


def test_the_page_says_how_many_incidents_it_lists(client, world, frozen, django_assert_max_num_queries):
    frozen("2026-11-20 12:00")
    base = int(time.time()) - 86400
    rows = []
    for k in range(451):  # 451 one-second incidents, each ended by a success a second later
        rows.append(SecondRollup(account=world.acme, channel=API, second=base + 3 * k, attempts=1, failures=1))
        rows.append(SecondRollup(account=world.acme, channel=SMTP, second=base + 3 * k + 1, attempts=1, failures=0))
    SecondRollup.objects.bulk_create(rows)
    client.force_login(world.alice)
    with django_assert_max_num_queries(16):
        page = client.get(PAGE).content.decode()
    assert "The latest 50 of 451 incidents." in page
    assert section(page, "incidents").count("<tr>") == 51  # the head and 50 rows
    assert "451 unavailable seconds" in page


def test_once_a_critical_case_is_open_for_the_incident_the_page_links_to_it(client, world):
    now = int(time.time())
    SecondRollup.objects.bulk_create(
        SecondRollup(account=world.acme, channel=API, second=now - 90 + s, attempts=3, failures=3) for s in range(88)
    )
    client.force_login(world.alice)
    page = client.get(PAGE).content.decode()
    offer = re.search(r'href="(/a/acme/cases/new/\?[^"]+)"', page).group(1).replace("&amp;", "&")
    assert 'data-testid="incident-case"' not in page
    dashboard = client.get("/a/acme/").content.decode()
    assert 'data-testid="ongoing"' in dashboard and "/a/acme/cases/new/?severity=critical" in dashboard
    query = parse_qs(urlparse(offer).query)
    case = case_open(
        account=world.acme,
        actor=world.alice,
        subject=query["subject"][0],
        description=query["description"][0],
        severity="critical",
        category="bug",
        contact_phone="+48 600 100 200",
    )
    for url in (PAGE, "/a/acme/"):
        page = client.get(url).content.decode()
        ongoing = section(page, "ongoing")
        assert f'href="/a/acme/cases/{case.number}/"' in ongoing and case.number in ongoing
        assert "/cases/new/" not in ongoing  # not offered a second time
    assert case_for(world.acme, Incident(now - 4000, now - 3900, {API})) is None  # another incident's is not it


def test_the_month_report_downloads_as_csv(client, world, frozen):
    """The figures of a month and its incidents, as the page has them (a month without attempts: no figure)."""
    frozen("2026-11-20 12:00")
    AvailabilityProfile.objects.create(account=world.acme, target_pct="99.99")
    feed(
        world.acme,
        [f"2026-11-10T10:00:{s:02d}Z,api,timeout" for s in range(10)] + ["2026-11-10T10:00:40Z,smtp,timeout"],
    )
    client.force_login(world.alice)
    assert 'href="/a/acme/availability/2026-11.csv"' in client.get(PAGE).content.decode()
    response = client.get("/a/acme/availability/2026-11.csv")
    assert response["Content-Disposition"] == 'attachment; filename="availability-acme-2026-11.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:3] == ["month", "seconds_in_month", "unavailable_seconds"]
    assert rows[1] == ["2026-11", "2592000", "11", "10", "1", "99.999576", "99.999614", "99.999961", "99.99", "248.2"]
    assert rows[3:] == [
        ["incident_start_utc", "incident_end_utc", "seconds", "unavailable_seconds", "channels"],
        ["2026-11-10T10:00:00Z", "2026-11-10T10:00:41Z", "41", "11", "api smtp"],
    ]
    october = list(csv.reader(io.StringIO(client.get("/a/acme/availability/2026-10.csv").content.decode())))
    assert october[1][2] == "0" and october[1][5:8] == ["", "", ""]  # no attempts: no figure, not 100
    assert client.get("/a/acme/availability/2026-13.csv").status_code == 404


def test_a_polish_reader_sees_the_page_and_the_alerts_in_polish(client, world, frozen):
    frozen("2026-11-20 12:00")
    feed(world.acme, ["2026-10-15T10:00:00Z,api,success"])
    world.alice.language = "pl"
    world.alice.save(update_fields=["language"])
    client.force_login(world.alice)
    page = client.get(PAGE).content.decode()
    assert "Brak danych" in section(page, "this-month") and "Incydenty z ostatnich 90 dni" in page
    assert "Pobierz raport za ten miesiąc (CSV)" in page
    panel = " ".join(client.get("/a/acme/").content.decode().split())
    assert "Poprzedni miesiąc: 100,0000%" in panel
    world.tina.language = "pl"
    world.tina.save(update_fields=["language"])
    now = int(time.time())
    SecondRollup.objects.bulk_create(
        SecondRollup(account=world.acme, channel=API, second=now - 100 + s, attempts=2, failures=2) for s in range(90)
    )
    assert alerts.alert(world.acme, now) == 1 and alerts.alert(world.acme, now + 400) == 1
    tina = [m for m in OutboundEmail.objects.order_by("pk") if "tina@tam.test" in m.to]
    assert [m.subject for m in tina] == [
        "[Acme] Niedostępność od 90 sekund i trwa",
        "[Acme] Znów dostępne po 90 sekundach",
    ]
    assert "90 sekund niedostępności" in tina[1].body
