"""Defects an adversarial review of the REST API found (issue 20), each pinned: an Idempotency-Key reused for
another request, a NUL in a path, merged cases, the ingestion endpoints outside the rate limit and the maker's
rights, and lists paged in Python."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership
from cases.models import Case
from cases.services import case_merge, case_open
from tests.api.conftest import bearer

pytestmark = pytest.mark.usefixtures("english")


def post(client, url, key, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", headers=bearer(key) | headers)


def opened(world, subject):
    return case_open(
        account=world.acme, actor=world.alice, subject=subject, description="d", severity="non_critical", category="bug"
    )


def test_a_key_sent_again_with_another_body_or_operation_is_a_422_and_creates_nothing(client, world, keys):
    case = opened(world, "first")
    first = post(client, "/api/v1/cases", keys.acme, {"subject": "s1", "description": "d"}, **{"Idempotency-Key": "K"})
    assert first.status_code == 201
    other_body = post(
        client,
        "/api/v1/cases",
        keys.acme,
        {"subject": "critical!", "description": "d", "severity": "critical"},
        **{"Idempotency-Key": "K"},
    )
    other_op = post(
        client, f"/api/v1/cases/{case.number}/replies", keys.acme, {"body": "x"}, **{"Idempotency-Key": "K"}
    )
    assert (other_body.status_code, other_op.status_code) == (422, 422)
    assert "Idempotency-Key" in other_body.json()["detail"]
    reply = post(client, f"/api/v1/cases/{case.number}/replies", keys.acme, {"body": "y"}, **{"Idempotency-Key": "R"})
    as_case = post(
        client, "/api/v1/cases", keys.acme, {"subject": "s2", "description": "d"}, **{"Idempotency-Key": "R"}
    )
    assert (reply.status_code, as_case.status_code) == (201, 422)
    assert not Case.objects.filter(subject__in=["critical!", "s2"]).exists()


def test_a_nul_or_odd_character_in_a_case_number_is_a_404(client, world, keys):
    opened(world, "x")
    for number in ("ACME-000001%00", "ACME-000001%C4%B1", "%20"):
        answer = client.get(f"/api/v1/cases/{number}", headers=bearer(keys.acme))
        assert (answer.status_code, answer.json()) == (404, {"detail": "not found"})


def test_a_merged_case_reads_and_says_where_it_went(client, world, keys):
    kept, duplicate = opened(world, "kept"), opened(world, "duplicate")
    case_merge(case=duplicate, into=kept, actor=world.sam)
    read = client.get(f"/api/v1/cases/{duplicate.number}", headers=bearer(keys.acme))
    assert read.status_code == 200 and read.json()["merged_into"] == kept.number


def test_the_ingestion_endpoints_keep_the_rate_limit_and_the_makers_rights(client, world, keys, settings):
    settings.API_RATE_LIMIT = 2
    body = [{"ts": "2026-11-09T10:00:00Z", "channel": "api", "outcome": "success"}]
    codes = [post(client, "/api/v1/availability/attempts", keys.acme, body).status_code for _ in range(3)]
    assert codes[-1] == 429
    settings.API_RATE_LIMIT = 600
    Membership.objects.filter(user=world.bob).delete()
    refused = post(client, "/api/v1/availability/attempts", keys.globex, body)
    assert refused.status_code == 403


def test_lists_are_paged_in_the_database_and_capped_at_100(client, world, keys):
    for n in range(5):
        opened(world, f"c{n}")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/api/v1/cases?limit=2", headers=bearer(keys.acme)).json()
    assert page["count"] == 5 and len(page["items"]) == 2
    listing = [q["sql"] for q in queries.captured_queries if '"cases_case"."number"' in q["sql"]]
    assert listing and all("LIMIT 2" in sql for sql in listing)
    assert client.get("/api/v1/cases?limit=1000", headers=bearer(keys.acme)).status_code == 422
