"""The REST API's cases (issue 20; MISSION: NC-1, NC-5, CR-1, CR-2, CR-5): a customer's tool opens a case,
reads it back, replies, and accepts or rejects a resolution, through the portal's own services; scopes,
expiry, the maker's rights, idempotency keys and the rate limit hold."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken, Membership
from cases.models import Case, CaseEvent
from cases.services import case_add_note, case_open, case_propose_resolution
from tests.api.conftest import bearer

pytestmark = pytest.mark.usefixtures("english")
CASES = "/api/v1/cases"


def post(client, url, key, body=None, **headers):
    return client.post(url, json.dumps(body or {}), content_type="application/json", headers=bearer(key) | headers)


def opened(world, subject="Bounces from Gmail", account=None, actor=None):
    return case_open(
        account=account or world.acme,
        actor=actor or world.alice,
        subject=subject,
        description="Since 09:00 every message bounces.",
        severity="non_critical",
        category="bug",
    )


def test_a_tool_opens_a_case_reads_it_back_and_the_portal_shows_it(client, world, keys):
    answer = post(client, CASES, keys.acme, {"subject": "SMTP 421 from Outlook", "description": "Since 09:00."})
    assert answer.status_code == 201, answer.content
    number = answer.json()["number"]
    case = Case.objects.get(number=number)
    assert (case.account, case.reporter, case.channel) == (world.acme, world.alice, "portal")
    read = client.get(f"{CASES}/{number}", headers=bearer(keys.acme)).json()
    assert read["subject"] == "SMTP 421 from Outlook"
    assert [e["kind"] for e in read["events"]][0] == "opened"
    assert read["url"] == case.get_absolute_url()


def test_a_critical_case_with_a_callback_number_starts_the_15_minute_clock(client, world, keys):
    body = {
        "subject": "Nothing sends",
        "description": "All API calls time out.",
        "severity": "critical",
        "callback_phone": "+48 22 123 45 67",
    }
    number = post(client, CASES, keys.acme, body).json()["number"]
    case = Case.objects.get(number=number)
    assert case.callback_requested and case.callback_due_at - case.created_at < timedelta(minutes=15, seconds=1)
    assert case.callback_due_at - case.created_at > timedelta(minutes=14, seconds=59)


def test_the_same_idempotency_key_opens_one_case(client, world, keys):
    body = {"subject": "Once", "description": "Only once."}
    first = post(client, CASES, keys.acme, body, **{"Idempotency-Key": "retry-1"})
    again = post(client, CASES, keys.acme, body, **{"Idempotency-Key": "retry-1"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["number"] == again.json()["number"]
    assert Case.objects.filter(subject="Once").count() == 1


def test_the_same_key_from_another_account_is_not_their_case(client, world, keys):
    post(client, CASES, keys.acme, {"subject": "Acme's", "description": "x"}, **{"Idempotency-Key": "k"})
    theirs = post(client, CASES, keys.globex, {"subject": "Globex's", "description": "y"}, **{"Idempotency-Key": "k"})
    assert theirs.status_code == 201 and theirs.json()["subject"] == "Globex's"


def test_replies_and_a_rejected_then_accepted_resolution(client, world, keys):
    case = opened(world)
    reply = post(client, f"{CASES}/{case.number}/replies", keys.acme, {"body": "Here are the headers."})
    assert reply.status_code == 201 and reply.json()["author"] == world.alice.full_name
    assert post(client, f"{CASES}/{case.number}/accept", keys.acme).status_code == 409  # nothing proposed yet
    case_propose_resolution(case=case, actor=world.sam, summary="Fixed the pool.")
    rejected = post(client, f"{CASES}/{case.number}/reject", keys.acme, {"reason": "Still bouncing."})
    assert rejected.status_code == 200 and rejected.json()["status"] != "resolved"
    case.refresh_from_db()
    case_propose_resolution(case=case, actor=world.sam, summary="Fixed, really.")
    accepted = post(client, f"{CASES}/{case.number}/accept", keys.acme)
    assert accepted.json()["status"] == "resolved"


def test_internal_notes_never_reach_the_api(client, world, keys):
    case = opened(world)
    case_add_note(case=case, actor=world.sam, body="Customer's pool is misconfigured (internal)")
    read = client.get(f"{CASES}/{case.number}", headers=bearer(keys.acme)).json()
    assert "internal" not in json.dumps(read)
    assert CaseEvent.objects.filter(case=case, public=False).exists()


def test_list_filters_and_pages(client, world, keys):
    for n in range(3):
        opened(world, subject=f"Case {n}")
    opened(world, subject="Globex case", account=world.globex, actor=world.bob)
    page = client.get(f"{CASES}?limit=2&offset=0&status=open", headers=bearer(keys.acme)).json()
    assert page["count"] == 3 and [c["subject"] for c in page["items"]] == ["Case 2", "Case 1"]
    assert client.get(f"{CASES}?severity=critical", headers=bearer(keys.acme)).json()["count"] == 0


def test_another_accounts_case_is_a_404_like_a_missing_one(client, world, keys):
    theirs = opened(world, account=world.globex, actor=world.bob)
    for url in (f"{CASES}/{theirs.number}", f"{CASES}/GLOBEX-999999"):
        answer = client.get(url, headers=bearer(keys.acme))
        assert (answer.status_code, answer.json()) == (404, {"detail": "not found"})
    for action, body in (("replies", {"body": "hi"}), ("accept", {}), ("reject", {"reason": "no"})):
        assert post(client, f"{CASES}/{theirs.number}/{action}", keys.acme, body).status_code == 404
    assert not CaseEvent.objects.filter(case=theirs, actor=world.alice).exists()


def test_scopes_the_makers_rights_and_staff_made_tokens(client, world, keys):
    case = opened(world)
    assert client.get(CASES, headers=bearer(keys.acme_read)).status_code == 200
    refused = post(client, CASES, keys.acme_read, {"subject": "s", "description": "d"})
    assert refused.status_code == 403 and "cases:write" in refused.json()["detail"]
    assert client.get(CASES, headers=bearer(keys.acme_by_tam)).status_code == 200  # staff-made: reads
    assert post(client, f"{CASES}/{case.number}/replies", keys.acme_by_tam, {"body": "x"}).status_code == 403
    Membership.objects.filter(user=world.alice).delete()  # Alice left Acme: her token writes and reads nothing
    assert post(client, f"{CASES}/{case.number}/replies", keys.acme, {"body": "x"}).status_code == 403
    assert client.get(CASES, headers=bearer(keys.acme)).status_code == 403


def test_expired_revoked_and_unknown_tokens_are_one_401(client, world, keys, time_machine):
    ApiToken.objects.filter(created_by=world.arthur).update(expires_at=timezone.now() + timedelta(days=1))
    assert client.get(CASES, headers=bearer(keys.acme_read)).status_code == 200
    time_machine.move_to(timezone.now() + timedelta(days=2))
    answers = [client.get(CASES, headers=bearer(k)) for k in (keys.acme_read, "eet_" + "x" * 43, "")]
    answers.append(client.get(CASES))
    assert {(a.status_code, a.get("WWW-Authenticate")) for a in answers} == {(401, 'Bearer realm="api"')}


def test_past_the_rate_limit_429_with_retry_after(client, world, keys, settings):
    settings.API_RATE_LIMIT = 3
    codes = [client.get(CASES, headers=bearer(keys.acme)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = client.get(CASES, headers=bearer(keys.acme))
    assert 1 <= int(last["Retry-After"]) <= 60
    assert client.get(CASES, headers=bearer(keys.globex)).status_code == 200  # per token


def test_bad_input_is_a_clear_4xx_and_saves_nothing(client, world, keys):
    cases = Case.objects.count()
    assert post(client, CASES, keys.acme, {"subject": "", "description": "d"}).status_code == 422
    assert post(client, CASES, keys.acme, {"subject": "s", "description": "x" * 20_001}).status_code == 422
    critical = post(client, CASES, keys.acme, {"subject": "s", "description": "d", "severity": "sev0"})
    assert critical.status_code == 422
    long_key = post(client, CASES, keys.acme, {"subject": "s", "description": "d"}, **{"Idempotency-Key": "k" * 65})
    assert long_key.status_code == 400
    assert Case.objects.count() == cases
