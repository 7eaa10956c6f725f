"""The availability page and dashboard panel, and who may open them (MISSION: AV-1)."""

import json
from datetime import UTC, datetime

import pytest
from django.utils import timezone

from accounts.services import api_token_issue
from availability.ingest import digest_of, ingest
from availability.models import AvailabilityProfile
from tests.accounts.factories import AccountFactory
from tests.helpers import LOGIN, ROLES, Row, assert_expected, assert_same_404, queries_of, roles, sign_in

pytestmark = pytest.mark.django_db
PAGE = "/a/acme/availability/"
CSV = "/a/acme/availability/2026-11.csv"
REPORT = "/a/acme/availability/2026-11/report/"
MATRIX: dict[str, list[Row]] = {
    "availability": [Row("GET", lambda o: PAGE, roles(200, anonymous=LOGIN, bob=404, tess=404))],
    "availability-csv": [Row("GET", lambda o: CSV, roles(200, anonymous=LOGIN, bob=404, tess=404))],
    "availability-report": [Row("GET", lambda o: REPORT, roles(200, anonymous=LOGIN, bob=404, tess=404))],
}


def feed(account, rows):
    lines = ["ts,channel,outcome", *rows]
    return ingest(account, lines, digest=digest_of(["\n".join(lines).encode()]))


@pytest.mark.parametrize("name", ["availability", "availability-csv", "availability-report"])
@pytest.mark.parametrize("role", ROLES)
def test_availability_matrix(client, world, role, name):
    sign_in(client, world, role)
    (row,) = MATRIX[name]
    url = row.url(None)
    assert_expected(client.get(url), row.expect[role], url)


@pytest.mark.parametrize(
    ("now", "left"),
    [
        ("2026-11-15 12:00", "249.2"),  # 30 days: 259.2 s of budget at 99.99%, 10 spent
        ("2026-12-15 12:00", "257.8"),  # 31 days: 267.84 s
        ("2028-02-29 12:00", "240.6"),  # a leap February, 29 days: 250.56 s
        ("2027-03-01 00:00:45", "257.8"),  # 45 s into March (UTC): the incident of 00:00:00-09 is this month's
    ],
)
def test_the_page_shows_this_month_the_bars_and_the_incidents(
    client, world, django_assert_max_num_queries, frozen, now, left
):
    """AV-1 months are UTC calendar months: the budget is the target's share of this month's seconds."""
    frozen(now)
    AvailabilityProfile.objects.create(account=world.acme, target_pct="99.99")
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    day = now.replace(hour=0, minute=0, second=0)
    stamp = day.strftime("%Y-%m-%dT00:00:{:02d}Z")
    feed(world.acme, [f"{stamp.format(s)},api,timeout" for s in range(10)] + [f"{stamp.format(30)},smtp,success"])
    feed(world.globex, [f"{stamp.format(s)},smtp,timeout" for s in range(50)])
    client.force_login(world.alice)
    with django_assert_max_num_queries(15):
        page = client.get(PAGE).content.decode()
    assert "10 unavailable seconds" in page and f"{left} seconds of the month" in page
    assert page.count('class="bar level-') == 90 and page.count("level-1") == 1
    assert "API" in page and "10</td>" in page  # one 10-second incident on the API
    assert "Months are UTC calendar months." in page
    dashboard = client.get("/a/acme/").content.decode()
    assert 'data-testid="availability-panel"' in dashboard and "1 incident" in dashboard
    client.force_login(world.bob)  # Globex sees its own 50 seconds, not Acme's 10
    assert "50 unavailable seconds" in client.get("/a/globex/availability/").content.decode()
    assert_same_404(client, PAGE, "/a/nowhere/availability/")


def test_the_console_lists_accounts_with_incidents_open_first(client, world, frozen):
    frozen("2026-11-15 12:00")  # Globex's incident two hours ago is this month's, as it is on most days
    now = timezone.now().astimezone(UTC).replace(microsecond=0)
    recent = [f"{(now.timestamp() - 30 + s):.0f}" for s in range(5)]
    from datetime import datetime

    def iso(epoch):
        return datetime.fromtimestamp(int(epoch), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    feed(world.acme, [f"{iso(e)},api,timeout" for e in recent])
    feed(world.globex, [f"{iso(now.timestamp() - 7200 + s)},smtp,timeout" for s in range(3)])
    client.force_login(world.tina)  # Acme's TAM: Acme only, its incident still open
    panel = client.get("/console/").content.decode()
    assert (
        "Open" in panel
        and "/a/acme/availability/" in panel
        and "Globex" not in panel.split("incident-accounts")[1][:600]
    )
    client.force_login(world.root)
    page = client.get("/console/").content.decode()
    listing = page.split('data-testid="incident-accounts"')[1].split("</ul>")[0]
    assert listing.index("Acme") < listing.index("Globex")  # the open incident first
    assert "1 incident, 5 s" in listing and "1 incident, 3 s" in listing


MATRIX["api-availability-attempts"] = [
    Row("POST", lambda o: "/api/v1/availability/attempts", roles(401))  # a token, never a session
]


@pytest.mark.parametrize("role", ROLES)
def test_the_endpoint_wants_a_token_not_a_session(client, world, role):
    sign_in(client, world, role)
    response = client.post("/api/v1/availability/attempts", "[]", content_type="application/json")
    assert response.status_code == 401


def test_the_endpoint_ingests_once_and_reports_bad_items(client, world, frozen):
    from accounts.models import Account, ApiToken
    from availability.models import IngestBatch, SecondRollup

    frozen("2026-11-09 12:00")  # the API refuses attempts in closed months, the future, before the account
    Account.objects.filter(pk=world.acme.pk).update(created_at=datetime(2026, 11, 1, tzinfo=UTC))
    token, key = api_token_issue(account=world.acme, name="collector", actor=world.alice)
    body = json.dumps(
        [
            {"ts": "2026-11-09T10:00:00.200Z", "channel": "api", "outcome": "timeout"},
            {"ts": "2026-11-09T10:00:00.700Z", "channel": "api", "outcome": "server_error"},
            {"ts": "yesterday", "channel": "api", "outcome": "timeout"},
            "not an object",
        ]
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    first = client.post("/api/v1/availability/attempts", body, content_type="application/json", **auth)
    assert first.status_code == 207
    assert first.json()["accepted"] == 2 and [e["item"] for e in first.json()["errors"]] == [3, 4]
    again = client.post("/api/v1/availability/attempts", body, content_type="application/json", **auth)
    assert again.json() == {"accepted": 0, "duplicate": True, "errors": []}
    row = SecondRollup.objects.get(account=world.acme)
    assert (row.attempts, row.failures) == (2, 2)  # counted once
    assert not SecondRollup.objects.filter(account=world.globex).exists()  # the token decides the account
    assert IngestBatch.objects.get().token == token  # which token sent the batch
    bad = client.post("/api/v1/availability/attempts", "{", content_type="application/json", **auth)
    assert bad.status_code == 400
    ApiToken.objects.update(revoked_at=timezone.now())
    assert (
        client.post("/api/v1/availability/attempts", "[]", content_type="application/json", **auth).status_code == 401
    )


def post_attempts(client, key, items):
    body = json.dumps(items)
    return client.post(
        "/api/v1/availability/attempts", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}"
    )


def test_the_endpoint_refuses_closed_months_the_future_and_before_the_account(client, world, frozen):
    """Each refused item is named with its reason; the rest are kept. November closes 3 days after it ends."""
    from accounts.models import Account
    from availability.models import SecondRollup

    frozen("2026-12-03 12:00")
    Account.objects.filter(pk=world.acme.pk).update(created_at=datetime(2026, 10, 20, tzinfo=UTC))
    _token, key = api_token_issue(account=world.acme, name="collector", actor=world.alice)
    stamps = [
        "2026-11-30T23:59:59Z",  # 1: November, still open on 3 December
        "2026-12-03T12:04:00Z",  # 2: 4 minutes ahead of our clock: within the skew
        "2026-12-03T12:10:00Z",  # 3: the future
        "2026-10-19T10:00:00Z",  # 4: before the account existed
    ]
    answer = post_attempts(client, key, [{"ts": ts, "channel": "api", "outcome": "timeout"} for ts in stamps])
    assert answer.status_code == 207
    assert answer.json()["accepted"] == 2
    assert answer.json()["errors"] == [
        {"item": 3, "error": "2026-12-03T12:10:00Z is in the future"},
        {"item": 4, "error": "2026-10-19T10:00:00Z is before the account existed"},
    ]
    frozen("2026-12-04 00:00")  # November has closed
    late = post_attempts(client, key, [{"ts": "2026-11-30T23:59:58Z", "channel": "api", "outcome": "timeout"}])
    assert late.status_code == 400
    assert late.json()["errors"] == [{"item": 1, "error": "2026-11-30T23:59:58Z is in a closed month"}]
    assert SecondRollup.objects.filter(account=world.acme).count() == 2


def test_a_body_over_the_limit_gets_the_json_413(client, world, settings, monkeypatch):
    """The limit is the API's own (MAX_BODY), not the form limit: a body between the two is read, a larger one
    answered 413 in JSON."""
    from availability import api

    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    monkeypatch.setattr(api, "MAX_BODY", 4 * 1024 * 1024)
    _token, key = api_token_issue(account=world.acme, name="collector", actor=world.alice)
    now = timezone.now().strftime("%Y-%m-%dT%H:%M:%SZ")
    item = {"ts": now, "channel": "api", "outcome": "success"}
    within = post_attempts(client, key, [item] * 100)  # ~6 KB: over the form limit, under the API's
    assert within.status_code == 200 and within.json()["accepted"] == 100
    over = post_attempts(client, key, [item] * 70_000)  # ~4.2 MB
    assert over.status_code == 413
    assert over.json() == {"error": "the body is larger than 4 MB: send smaller batches"}


def test_the_console_reads_the_attempts_of_every_accounts_gaps_at_once(client, world, frozen):
    """Issue 18: the incidents panel asked for the attempts in the gaps once per account. Each account here has
    two unavailable seconds 20 s apart: with no attempt between them they are one incident (the merge), with a
    successful attempt between them two; the queries stay the same however many accounts there are."""
    frozen("2026-11-15 12:00")
    now = int(timezone.now().timestamp())

    def iso(epoch):
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def down(account, split):
        rows = [f"{iso(now - 600)},api,timeout", f"{iso(now - 580)},api,timeout"]
        feed(account, rows + [f"{iso(now - 590)},smtp,success"] * split)

    def console_queries():
        queries, response = queries_of(client, "/console/")
        return queries, response.content.decode().split('data-testid="incident-accounts"')[1].split("</ul>")[0]

    down(world.acme, split=False)
    down(world.globex, split=True)
    client.force_login(world.root)
    few, listing = console_queries()
    assert "1 incident, 2 s" in listing and "2 incidents, 2 s" in listing
    for n in range(4):
        down(AccountFactory(name=f"Initech {n}", slug=f"initech-{n}", primary_tam=world.tina), split=n % 2)
    many, listing = console_queries()
    assert listing.count("1 incident, 2 s") == 3 and listing.count("2 incidents, 2 s") == 3
    assert many == few
