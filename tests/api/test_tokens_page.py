"""The API tokens page (issue 20): the account admin chooses what a token may do and when it expires; the list
says so, and an expired token is shown as not accepted. The key is shown once."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from tests.helpers import form_token, messages_of, visible_text

pytestmark = pytest.mark.usefixtures("english")
PAGE = "/a/acme/api-tokens/"


def test_the_admin_chooses_scopes_and_expiry(client, world):
    client.force_login(world.alice)
    token_field = form_token(client.get(PAGE))
    data = {
        "name": "helpdesk sync",
        "scopes_shown": "1",
        "scopes": ["cases:read", "cases:write"],
        "expires": "90",
        "form_token": token_field,
    }
    page = client.post(PAGE, data).content.decode()
    assert re.search(r'data-testid="new-key".*?<pre>eet_', page, flags=re.S)
    token = ApiToken.objects.get(name="helpdesk sync")
    assert token.scope_set == {"cases:read", "cases:write"}
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    assert "cases:write" in visible_text(client.get(PAGE))


def test_no_scope_chosen_is_refused_with_a_message_and_no_token(client, world):
    client.force_login(world.alice)
    data = {"name": "nothing", "scopes_shown": "1", "expires": "30", "form_token": form_token(client.get(PAGE))}
    response = client.post(PAGE, data, follow=True)
    assert "Choose at least one of the listed permissions for the token." in messages_of(response)
    assert not ApiToken.objects.filter(name="nothing").exists()


def test_an_expired_token_is_listed_as_not_accepted(client, world, time_machine):
    client.force_login(world.alice)
    client.post(
        PAGE,
        {
            "name": "short",
            "scopes_shown": "1",
            "scopes": ["cases:read"],
            "expires": "30",
            "form_token": form_token(client.get(PAGE)),
        },
    )
    time_machine.move_to(timezone.now() + timedelta(days=31))
    client.force_login(world.alice)  # a month later: signed in again
    assert "not accepted: expired" in visible_text(client.get(PAGE))


def test_a_forged_scope_is_refused(client, world):
    client.force_login(world.alice)
    data = {
        "name": "forged",
        "scopes_shown": "1",
        "scopes": ["cases:read", "admin:all"],
        "expires": "0",
        "form_token": form_token(client.get(PAGE)),
    }
    client.post(PAGE, data)
    assert not ApiToken.objects.filter(name="forged").exists()
