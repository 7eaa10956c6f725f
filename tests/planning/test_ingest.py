"""Actuals in: CSV and JSON rows, checked row by row, and the token-protected endpoint.

MISSION: DLV-1. Good rows are kept and bad ones are reported with their line and a reason a person can act
on; the endpoint answers 200/207/400/401/404 and never tells one account's plan from a missing one.
"""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.services import api_token_issue
from planning import ingest
from planning.models import DailyActual, IngestToken
from tests.planning.factories import DailyActualFactory, WarmupPlanFactory

START = date(2026, 3, 2)


@pytest.fixture
def plan(world):
    return WarmupPlanFactory(account=world.acme, start_date=START)


def saved(plan) -> list[tuple]:
    return list(plan.actuals.order_by("day", "provider").values_list("day", "provider", "sent", "delivered", "source"))


def test_every_factory_makes_a_valid_row(world):
    for obj in (WarmupPlanFactory(account=world.acme), DailyActualFactory(plan__account=world.globex)):
        obj.full_clean()


GOOD_AND_BAD = """date,provider,sent,delivered,bounced,complaints,deferrals
2026-03-02,gmail,1000,990,5,0,0
03/03/2026,gmail,1000,990,5,0,0
2026-03-02,hotmail,800,790,2,0,0
2026-03-03,mystery,800,790,2,0,0
2026-03-03,yahoo,-5,0,0,0,0
2026-03-03,apple,12k,0,0,0,0
2026-03-03,other,100,150,0,0,0
2026-03-01,gmail,100,100,0,0,0
2026-03-02,Google,500,500,0,0,0
2026-03-04,apple,,0,0,0,0
2026-03-02,AOL,"1,200",1190,0,1,4
"""


def test_good_rows_are_kept_and_each_bad_row_is_reported_on_its_line(plan):
    outcome = ingest.from_csv(plan, GOOD_AND_BAD)

    assert outcome.saved == 3
    assert saved(plan) == [
        (START, "gmail", 1000, 990, "csv"),
        (START, "microsoft", 800, 790, "csv"),
        (START, "yahoo", 1200, 1190, "csv"),
    ]
    assert outcome.errors == [
        (3, "“03/03/2026” is not a date like 2026-11-24."),
        (5, "“mystery” is not a mailbox provider (gmail, microsoft, yahoo, apple, other)."),
        (6, "sent cannot be negative."),
        (7, "sent: “12k” is not a whole number."),
        (8, "delivered (150) is more than sent (100)."),
        (9, "2026-03-01 is before the plan starts (2026-03-02)."),
        (10, "The same day and provider as line 2."),
        (11, "sent is missing."),
    ]


def test_a_row_without_the_sent_column_at_all_is_missing_sent(plan):
    outcome = ingest.from_csv(plan, "date,provider,sent,delivered\n2026-03-02,gmail\n")
    assert (outcome.saved, outcome.errors) == (0, [(2, "sent is missing.")])


def test_line_numbers_are_the_files_lines_even_after_a_blank_line(plan):
    text = "date,provider,sent\n2026-03-02,gmail,100\n\n2026-03-03,gmail,abc\n"
    outcome = ingest.from_csv(plan, text)
    assert outcome.saved == 1
    assert outcome.errors == [(4, "sent: “abc” is not a whole number.")]  # the fourth line of the file


@pytest.mark.parametrize(
    ("header", "missing"),
    [
        ("date,provider,delivered", "sent"),
        ("day,provider,sent", "date"),
        ("date\tprovider\tsent", "date, provider, sent"),  # tabs: not a separator we read
    ],
)
def test_a_missing_header_column_is_one_error_on_line_1_and_nothing_saved(plan, header, missing):
    outcome = ingest.from_csv(plan, f"{header}\n2026-03-02,gmail,100\n")
    assert outcome.saved == 0
    assert outcome.errors == [(1, f"The header row needs the columns date, provider and sent (missing: {missing}).")]
    assert not plan.actuals.exists()


def test_a_header_in_other_case_with_a_bom_and_extra_columns_is_read(plan):
    text = "\ufeffDate , Provider, Sent,Delivered,Notes\r\n2026-03-02, Outlook ,1000,999,fine\r\n"
    assert ingest.from_csv(plan, text).errors == []
    assert saved(plan) == [(START, "microsoft", 1000, 999, "csv")]


def test_sending_a_day_again_updates_it(plan):
    ingest.from_csv(plan, "date,provider,sent,delivered\n2026-03-02,gmail,1000,900\n")
    outcome = ingest.from_json(plan, [{"date": "2026-03-02", "provider": "gmail", "sent": 1500, "delivered": 1490}])
    assert outcome.saved == 1
    assert saved(plan) == [(START, "gmail", 1500, 1490, "api")]
    assert DailyActual.objects.count() == 1


@pytest.mark.parametrize(
    ("given", "stored"),
    [("Outlook", "microsoft"), ("HOTMAIL", "microsoft"), ("live", "microsoft"), ("AOL", "yahoo"),
     ("Yahoo/AOL", "yahoo"), ("google", "gmail"), ("googlemail", "gmail"), ("iCloud", "apple"), ("others", "other")],
)  # fmt: skip
def test_provider_aliases(plan, given, stored):
    assert ingest.from_csv(plan, f"date,provider,sent\n2026-03-02,{given},10\n").errors == []
    assert plan.actuals.get().provider == stored


def test_json_as_a_list_or_an_object_with_actuals(plan):
    row = {"date": "2026-03-02", "provider": "gmail", "sent": 100, "delivered": None}
    assert ingest.from_json(plan, [row]).saved == 1
    assert ingest.from_json(plan, {"actuals": [row | {"date": "2026-03-03"}]}).saved == 1
    assert plan.actuals.count() == 2


@pytest.mark.parametrize("payload", [None, 5, "rows", {"rows": []}, {"actuals": {"date": "2026-03-02"}}])
def test_json_that_is_not_a_list_is_one_error(plan, payload):
    outcome = ingest.from_json(plan, payload)
    assert outcome.saved == 0
    assert outcome.errors == [(0, "Send a JSON list of rows, or an object with an “actuals” list.")]


def test_json_rows_are_numbered_from_1(plan):
    outcome = ingest.from_json(
        plan, [{"date": "2026-03-02", "provider": "gmail", "sent": 10}, "gmail", {"date": "2026-03-02", "sent": 1.5}]
    )
    assert outcome.saved == 1
    assert outcome.errors == [
        (2, "“” is not a date like 2026-11-24."),
        (3, "“” is not a mailbox provider (gmail, microsoft, yahoo, apple, other)."),
    ]


def test_a_number_too_large_to_store_is_a_row_error_and_the_other_rows_are_kept(plan):
    """A typo (extra zeros) must be reported on its row, not stored nor turned into a server error."""
    rows = [{"date": "2026-03-02", "provider": "gmail", "sent": 100}, {"date": "2026-03-03", "provider": "gmail",
            "sent": 25_000_000_000}]  # fmt: skip
    outcome = ingest.from_json(plan, rows)
    assert outcome.saved == 1
    assert [line for line, _message in outcome.errors] == [2]
    assert saved(plan) == [(START, "gmail", 100, 0, "api")]


# --- the endpoint ----------------------------------------------------------------------------------------


@pytest.fixture
def key(world):
    _token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    return key


def post(client, plan_pk, body, key=None, raw=False):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    data = body if raw else json.dumps(body)
    return client.post(f"/api/v1/warmup/{plan_pk}/actuals", data, content_type="application/json", headers=headers)


ROWS = [
    {"date": "2026-03-02", "provider": "gmail", "sent": 1000, "delivered": 990, "bounced": 5},
    {"date": "2026-03-02", "provider": "outlook", "sent": 800},
]


def test_good_rows_answer_200(client, plan, key):
    response = post(client, plan.pk, ROWS, key)
    assert (response.status_code, response.json()) == (200, {"saved": 2, "errors": []})
    assert saved(plan) == [(START, "gmail", 1000, 990, "api"), (START, "microsoft", 800, 0, "api")]


def test_a_mix_answers_207_with_the_row_errors(client, plan, key):
    bad = [
        {"date": "2026-03-02", "provider": "google", "sent": 5},
        {"date": "2026-03-03", "provider": "gmail", "sent": -1},
    ]
    response = post(client, plan.pk, {"actuals": [*ROWS, *bad]}, key)
    assert response.status_code == 207
    assert response.json() == {
        "saved": 2,
        "errors": [
            {"row": 3, "error": "The same day and provider as line 1."},
            {"row": 4, "error": "sent cannot be negative."},
        ],
    }
    assert saved(plan) == [(START, "gmail", 1000, 990, "api"), (START, "microsoft", 800, 0, "api")]


def test_all_bad_answers_400(client, plan, key):
    response = post(client, plan.pk, [{"date": "yesterday", "provider": "gmail", "sent": 1}], key)
    assert response.status_code == 400
    assert response.json() == {
        "saved": 0,
        "errors": [{"row": 1, "error": "“yesterday” is not a date like 2026-11-24."}],
    }
    assert post(client, plan.pk, {"rows": []}, key).status_code == 400
    assert not plan.actuals.exists()


@pytest.mark.parametrize("body", ["date,provider,sent", "[{", b"\xff\xfe"])
def test_a_body_that_is_not_json_answers_400(client, plan, key, body):
    response = post(client, plan.pk, body, key, raw=True)
    assert (response.status_code, response.json()) == (400, {"error": "the body is not JSON"})


@pytest.mark.parametrize("header", [None, "", "Bearer ", "Bearer eet_wrong", "Basic abc", "bearer {key}", "{key}"])
def test_without_a_valid_token_401(client, plan, key, header):
    headers = {} if header is None else {"Authorization": header.format(key=key)}
    response = client.post(
        f"/api/v1/warmup/{plan.pk}/actuals", json.dumps(ROWS), content_type="application/json", headers=headers
    )
    assert (response.status_code, response.json()) == (401, {"error": "unauthorized"})
    assert not plan.actuals.exists()


def test_a_revoked_token_401(client, plan, key):
    IngestToken.objects.update(revoked_at=timezone.now())
    assert post(client, plan.pk, ROWS, key).status_code == 401
    assert not plan.actuals.exists()


def test_another_accounts_plan_is_exactly_like_a_missing_one(client, world, plan):
    _token, globex_key = api_token_issue(account=world.globex, name="globex", actor=world.bob)
    theirs = post(client, plan.pk, ROWS, globex_key)
    missing = post(client, plan.pk + 1000, ROWS, globex_key)
    assert theirs.status_code == missing.status_code == 404
    assert theirs.content == missing.content == b'{"error": "not found"}'
    assert not plan.actuals.exists()


def test_a_token_records_when_it_was_last_used(client, plan, key):
    token = IngestToken.objects.get()
    assert token.last_used_at is None
    before = timezone.now()
    post(client, plan.pk, ROWS, key)
    token.refresh_from_db()
    assert before <= token.last_used_at <= timezone.now()


def test_only_the_keys_hash_is_stored(client, world, plan):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    assert token.key_hash == __import__("hashlib").sha256(key.encode()).hexdigest()
    assert key.startswith("eet_") and len(key) > 40 and token.prefix == key[:8]
    assert IngestToken.find(key) == token
    post(client, plan.pk, ROWS, key)
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                assert not any(key in str(cell) for cell in row), f"the key is stored in {table}"


def test_the_same_day_twice_through_the_endpoint_updates_it(client, plan, key):
    assert "replaced" not in post(client, plan.pk, ROWS[:1], key).json()
    again = post(client, plan.pk, [ROWS[0] | {"sent": 2000, "delivered": 1900}], key)
    assert saved(plan) == [(START, "gmail", 2000, 1900, "api")]
    assert again.json() == {"saved": 1, "errors": [], "replaced": ["2026-03-02 gmail"]}  # issue 17: it says so
    assert "replaced" not in post(client, plan.pk, [ROWS[0] | {"sent": 2000, "delivered": 1900}], key).json()


def test_a_day_before_the_start_through_the_endpoint(client, plan, key):
    day = (START - timedelta(days=1)).isoformat()
    response = post(client, plan.pk, [{"date": day, "provider": "gmail", "sent": 1}], key)
    assert response.json()["errors"] == [{"row": 1, "error": f"{day} is before the plan starts (2026-03-02)."}]
