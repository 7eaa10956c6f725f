"""API tokens (issue 12, item 5): issued and revoked only through ``api_token_issue`` / ``api_token_revoke``,
audited once each."""

import json
import re

import pytest
from django.utils import translation

from accounts.models import ApiToken, AuditEvent
from accounts.services import api_token_issue, api_token_revoke

ACME_TOKENS = "/a/acme/api-tokens/"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def token_events(kind=None) -> list[tuple]:
    events = AuditEvent.objects.order_by("id")
    if kind is not None:
        events = events.filter(kind=kind)
    return list(events.values_list("kind", "account", "actor", "details"))


def audit_details(token) -> dict:
    return {"token": token.pk, "name": token.name, "prefix": token.prefix}


# --- the services ----------------------------------------------------------------------------------------


def test_issuing_writes_one_audit_row_without_the_key(world):
    token, key = api_token_issue(account=world.acme, name="warehouse", actor=world.alice)

    assert (token.account, token.created_by, token.key_hash) == (world.acme, world.alice, ApiToken.hash(key))
    assert token_events() == [(AuditEvent.Kind.TOKEN_ISSUED, world.acme.pk, world.alice.pk, audit_details(token))]
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


# --- the API tokens page ---------------------------------------------------------------------------------


def test_the_page_audits_issuing_and_revoking_once_each(client, world):
    client.force_login(world.alice)
    page = client.post(ACME_TOKENS, {"name": "warehouse"}).content.decode()
    key = re.search(r'data-testid="new-key".*?<pre>(eet_[^<]+)</pre>', page, flags=re.S).group(1)
    token = ApiToken.objects.get()

    client.post(ACME_TOKENS, {"revoke": token.pk})
    client.post(ACME_TOKENS, {"revoke": token.pk})

    assert token_events() == [
        (AuditEvent.Kind.TOKEN_ISSUED, world.acme.pk, world.alice.pk, audit_details(token)),
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
