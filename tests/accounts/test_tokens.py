"""API tokens (issue 12, item 5): issued and revoked only through ``api_token_issue`` / ``api_token_revoke``,
audited once each; an issued token keeps its account and a revoked one stays revoked, the admin included; a
closed account's tokens are refused by both token APIs exactly like an unknown key."""

import json
import re
from datetime import UTC, date, datetime

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Account, ApiToken, AuditEvent
from accounts.services import api_token_issue, api_token_revoke
from availability.models import SecondRollup
from planning.models import DailyActual
from tests.planning.factories import WarmupPlanFactory

ADMIN_TOKENS = "/admin/accounts/apitoken/"
ACME_TOKENS = "/a/acme/api-tokens/"
ROWS = json.dumps([{"date": "2026-05-04", "provider": "gmail", "sent": 100}])
ATTEMPTS = json.dumps([{"ts": "2026-11-09T10:00:00.200Z", "channel": "api", "outcome": "timeout"}])
UNKNOWN_KEY = "eet_" + "x" * 43


pytestmark = pytest.mark.usefixtures("english")  # tests/conftest.py


@pytest.fixture
def plan(world):
    """Acme's warm-up plan, the one the customer's pipeline sends actuals to."""
    return WarmupPlanFactory(account=world.acme, start_date=date(2026, 5, 4))


def call_both_apis(client, plan, key) -> list[tuple[int, bytes]]:
    """What the warm-up actuals API (for Acme's plan) and the availability attempts API answer this key."""
    headers = {"Authorization": f"Bearer {key}"}
    actuals = client.post(f"/api/v1/warmup/{plan.pk}/actuals", ROWS, content_type="application/json", headers=headers)
    attempts = client.post("/api/v1/availability/attempts", ATTEMPTS, content_type="application/json", headers=headers)
    return [(actuals.status_code, actuals.content), (attempts.status_code, attempts.content)]


def token_events(kind=None) -> list[tuple]:
    events = AuditEvent.objects.order_by("id")
    if kind is not None:
        events = events.filter(kind=kind)
    return list(events.values_list("kind", "account", "actor", "details"))


def audit_details(token, issued=False) -> dict:
    """What the audit row says of a token; issuing also records its scopes and expiry (issue 20)."""
    details = {"token": token.pk, "name": token.name, "prefix": token.prefix}
    expires = token.expires_at.isoformat() if token.expires_at else ""
    return details | ({"scopes": token.scopes, "expires": expires} if issued else {})


def admin_action(client, action: str, *tokens):
    return client.post(ADMIN_TOKENS, {"action": action, "_selected_action": [t.pk for t in tokens]}, follow=True)


def admin_messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- the services ----------------------------------------------------------------------------------------


def test_issuing_writes_one_audit_row_without_the_key(world):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)

    assert (token.account, token.created_by, token.key_hash) == (world.acme, world.alice, ApiToken.hash(key))
    assert token_events() == [
        (AuditEvent.Kind.TOKEN_ISSUED, world.acme.pk, world.alice.pk, audit_details(token, issued=True))
    ]
    assert key not in json.dumps(token_events())


def test_revoking_twice_revokes_once_and_audits_once(world):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)

    api_token_revoke(token=token, actor=world.tina)
    first = ApiToken.objects.get(pk=token.pk).revoked_at
    again = api_token_revoke(token=ApiToken.objects.get(pk=token.pk), actor=world.alice)

    assert first is not None and again.revoked_at == first
    revoked = (AuditEvent.Kind.TOKEN_REVOKED, world.acme.pk, world.tina.pk, audit_details(token))
    assert token_events(AuditEvent.Kind.TOKEN_REVOKED) == [revoked]
    assert ApiToken.find(key) is None


def test_a_closed_account_gets_no_new_token(world):
    Account.objects.filter(pk=world.acme.pk).update(status=Account.Status.CLOSED)
    world.acme.refresh_from_db()

    with pytest.raises(ValidationError, match="A closed account gets no new API tokens."):
        api_token_issue(account=world.acme, name="warehouse", actor=world.tina)

    assert not ApiToken.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.parametrize("status", Account.Status.values)
@pytest.mark.parametrize("revoked", [False, True])
def test_usable_in_the_list_is_what_the_lookup_accepts(world, status, revoked):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    if revoked:
        api_token_revoke(token=token, actor=world.alice)
    Account.objects.filter(pk=world.acme.pk).update(status=status)

    accepted = ApiToken.find(key) is not None

    assert accepted == (not revoked and status != Account.Status.CLOSED)
    assert ApiToken.objects.with_usable().get(pk=token.pk).usable == accepted
    assert ApiToken.objects.active().filter(pk=token.pk).exists() == accepted


# --- a closed account's tokens ---------------------------------------------------------------------------


def test_a_closed_accounts_token_is_refused_like_an_unknown_one_by_both_apis(client, world, plan, frozen):
    frozen("2026-11-09 12:00")  # the attempt's day: the API refuses attempts in closed months (ledger.Window)
    Account.objects.filter(pk=world.acme.pk).update(created_at=datetime(2026, 11, 1, tzinfo=UTC))
    _token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    assert [status for status, _body in call_both_apis(client, plan, key)] == [200, 200]  # it worked while open
    DailyActual.objects.all().delete()
    SecondRollup.objects.all().delete()
    used = ApiToken.objects.get().last_used_at

    Account.objects.filter(pk=world.acme.pk).update(status=Account.Status.CLOSED)
    closed, unknown = call_both_apis(client, plan, key), call_both_apis(client, plan, UNKNOWN_KEY)

    assert closed == unknown == [(401, b'{"error": "unauthorized"}')] * 2
    assert not DailyActual.objects.exists() and not SecondRollup.objects.exists()
    assert ApiToken.objects.get().last_used_at == used  # a refused key is not "used"


def test_the_tokens_page_shows_a_closed_accounts_token_as_not_accepted(client, world):
    api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    client.force_login(world.tina)
    assert "not accepted" not in client.get(ACME_TOKENS).content.decode()

    Account.objects.filter(pk=world.acme.pk).update(status=Account.Status.CLOSED)
    page = client.get(ACME_TOKENS).content.decode()

    assert "not accepted: the account is closed" in page
    response = client.post(ACME_TOKENS, {"name": "another"})
    assert "A closed account gets no new API tokens." in response.content.decode()
    assert 'data-testid="new-key"' not in response.content.decode() and ApiToken.objects.count() == 1


# --- the API tokens page ---------------------------------------------------------------------------------


def test_the_page_audits_issuing_and_revoking_once_each(client, world):
    client.force_login(world.alice)
    page = client.post(ACME_TOKENS, {"name": "warehouse"}).content.decode()
    key = re.search(r'data-testid="new-key".*?<pre>(eet_[^<]+)</pre>', page, flags=re.S).group(1)
    token = ApiToken.objects.get()

    client.post(ACME_TOKENS, {"revoke": token.pk})
    client.post(ACME_TOKENS, {"revoke": token.pk})

    assert token_events() == [
        (AuditEvent.Kind.TOKEN_ISSUED, world.acme.pk, world.alice.pk, audit_details(token, issued=True)),
        (AuditEvent.Kind.TOKEN_REVOKED, world.acme.pk, world.alice.pk, audit_details(token)),
    ]
    assert ApiToken.find(key) is None


def test_a_member_cannot_revoke_and_another_accounts_token_is_a_404(client, world):
    ours, _key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    theirs, _key = api_token_issue(account=world.globex, name="globex", actor=world.bob)
    client.force_login(world.arthur)
    assert client.post(ACME_TOKENS, {"revoke": ours.pk}).status_code == 404
    client.force_login(world.alice)
    assert client.post(ACME_TOKENS, {"revoke": theirs.pk}).status_code == 404

    assert ApiToken.objects.active().count() == 2
    assert not token_events(AuditEvent.Kind.TOKEN_REVOKED)


# --- the admin -------------------------------------------------------------------------------------------


@pytest.fixture
def revoked_globex_token(world):
    """Globex's revoked token and its key. Tina is made Globex's backup TAM, so both accounts are hers."""
    Account.objects.filter(pk=world.globex.pk).update(backup_tam=world.tina)
    token, key = api_token_issue(account=world.globex, name="globex", actor=world.bob)
    return api_token_revoke(token=token, actor=world.bob), key


@pytest.mark.parametrize("who", ["root", "tina"])
def test_the_admin_form_shows_a_token_read_only(client, world, revoked_globex_token, who):
    token, _key = revoked_globex_token
    client.force_login(getattr(world, who))

    form = client.get(f"{ADMIN_TOKENS}{token.pk}/change/")

    assert form.status_code == 200 and "Globex" in form.content.decode()
    for field in ('name="account"', 'name="revoked_at', 'name="name"', 'name="_save"'):
        assert field not in form.content.decode()


@pytest.mark.parametrize("who", ["root", "tina"])
def test_an_admin_post_cannot_revive_a_token_or_move_it_to_another_account(
    client, world, plan, revoked_globex_token, who
):
    """Globex's revoked key, "moved" to Acme and un-revoked by a crafted change form: nothing changes, and
    neither API takes Acme's data from it."""
    token, key = revoked_globex_token
    client.force_login(getattr(world, who))

    crafted = {"account": world.acme.pk, "name": "revived", "revoked_at_0": "", "revoked_at_1": "", "_save": "Save"}
    response = client.post(f"{ADMIN_TOKENS}{token.pk}/change/", crafted)

    assert call_both_apis(client, plan, key) == [(401, b'{"error": "unauthorized"}')] * 2
    assert not DailyActual.objects.exists() and not SecondRollup.objects.exists()
    assert ApiToken.objects.values_list("account", "name", "revoked_at").get() == (
        world.globex.pk, "globex", token.revoked_at)  # fmt: skip
    assert response.status_code == 403


def test_a_tam_revokes_in_the_admin_through_the_service_once(client, world):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    client.force_login(world.tina)
    assert 'value="revoke"' in client.get(ADMIN_TOKENS).content.decode()

    first = admin_action(client, "revoke", token)
    second = admin_action(client, "revoke", token)

    assert admin_messages(first) == ["1 API token revoked."] and admin_messages(second) == ["0 API tokens revoked."]
    revoked = (AuditEvent.Kind.TOKEN_REVOKED, world.acme.pk, world.tina.pk, audit_details(token))
    assert token_events(AuditEvent.Kind.TOKEN_REVOKED) == [revoked]
    assert ApiToken.find(key) is None


def test_a_globex_tam_neither_sees_nor_revokes_acmes_token(client, world):
    ours, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    missing_pk = ours.pk + 1000
    client.force_login(world.tess)

    listing = client.get(ADMIN_TOKENS)
    theirs = client.get(f"{ADMIN_TOKENS}{ours.pk}/change/", follow=True)
    missing = client.get(f"{ADMIN_TOKENS}{missing_pk}/change/", follow=True)
    admin_action(client, "revoke", ours)

    assert list(listing.context["cl"].result_list) == [] and "warehouse" not in listing.content.decode()
    assert theirs.redirect_chain == missing.redirect_chain == [("/admin/", 302)]
    assert admin_messages(theirs) == [f"API token with ID “{ours.pk}” doesn’t exist. Perhaps it was deleted?"]
    assert admin_messages(missing) == [f"API token with ID “{missing_pk}” doesn’t exist. Perhaps it was deleted?"]
    assert ApiToken.find(key) is not None and not token_events(AuditEvent.Kind.TOKEN_REVOKED)


def test_an_agent_sees_tokens_in_the_admin_but_cannot_revoke_them(client, world):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    client.force_login(world.sam)

    listing = client.get(ADMIN_TOKENS)
    admin_action(client, "revoke", token)

    assert list(listing.context["cl"].result_list) == [token]
    assert 'value="revoke"' not in listing.content.decode()
    assert ApiToken.find(key) is not None and not token_events(AuditEvent.Kind.TOKEN_REVOKED)


@pytest.mark.parametrize("who", ["alice", "arthur"])
def test_customers_cannot_open_the_admin(client, world, who):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)
    client.force_login(getattr(world, who))

    response = admin_action(client, "revoke", token)

    assert response.redirect_chain[0][1] == 302 and "/admin/login/" in response.redirect_chain[0][0]
    assert ApiToken.find(key) is not None
