"""Connecting Google Postmaster Tools (issue 19) through the client against the local Google: the account
admin is sent to Google with PKCE (S256) and a state, Google's redirect back is checked (a wrong state is
refused and connects nothing), the refresh token is kept encrypted and never shown, the first import runs;
disconnecting revokes the grant at Google; both audited; another account's page is a 404."""

import urllib.error
import urllib.request
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

from accounts.models import AuditEvent
from deliverability.models import PostmasterConnection, PostmasterDay
from deliverability.reputation import postmaster_oauth
from tests.deliverability.postmaster.conftest import DOMAIN
from tests.helpers import assert_same_404, messages_of, visible_text

REPUTATION = "/a/acme/reputation/"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def google_answers(location: str) -> str:
    """What the admin's browser does at Google: open the authorization URL; Google redirects back."""
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(location, timeout=5)
    except urllib.error.HTTPError as answer:  # the 302 back to us
        assert answer.code == 302
        return answer.headers["Location"]
    raise AssertionError("Google did not redirect back")


def connect(client, django_capture_on_commit_callbacks, *, tamper=None):
    start = client.post(f"{REPUTATION}postmaster/connect/")
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["access_type"] == ["offline"]
    assert query["scope"] == ["https://www.googleapis.com/auth/postmaster.readonly"]
    back = google_answers(start["Location"])
    parts = urlsplit(back)
    assert parts.path == "/reputation/postmaster/callback/"
    params = {k: v[0] for k, v in parse_qs(parts.query).items()}
    if tamper:
        params.update(tamper)
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(f"{parts.path}?{urlencode(params)}")


def test_the_admin_connects_and_the_first_import_runs(
    client, world, google, frozen, english, django_capture_on_commit_callbacks
):
    frozen("2026-12-06 16:00")
    google.add_days(DOMAIN, date(2026, 11, 20), 16)
    client.force_login(world.alice)
    answer = connect(client, django_capture_on_commit_callbacks)
    assert answer.status_code == 302 and answer["Location"] == REPUTATION
    connection = PostmasterConnection.objects.get(account=world.acme)
    refresh = next(iter(google.refresh_tokens))
    assert refresh.encode() not in bytes(connection.refresh_token)  # kept encrypted
    assert postmaster_oauth.unseal(connection.refresh_token) == refresh
    assert AuditEvent.objects.filter(account=world.acme, kind="postmaster_connected", actor=world.alice).exists()
    assert PostmasterDay.objects.filter(account=world.acme, domain=DOMAIN).count() == 16
    page = client.get(REPUTATION)
    text = visible_text(page)
    assert "Connected by Alice Andrzejewska" in text
    assert refresh not in page.content.decode()  # never shown
    assert "Spam rate 0.08%" in text and "Domain reputation HIGH" in text


def test_a_redirect_with_another_state_is_refused(client, world, google, english, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    answer = connect(client, django_capture_on_commit_callbacks, tamper={"state": "forged-state"})
    assert answer.status_code == 302
    assert "The answer from Google did not match this sign-in (state): nothing was connected." in messages_of(
        client.get(REPUTATION)
    )
    assert not PostmasterConnection.objects.exists()
    assert not any(call == ("POST", "/token") for call in google.calls)  # the code was never exchanged


def test_a_callback_without_a_started_sign_in_is_a_404(client, world, google):
    client.force_login(world.alice)
    assert client.get("/reputation/postmaster/callback/?code=x&state=y").status_code == 404


def test_only_the_account_admin_connects(client, world, google):
    for person in (world.arthur, world.tina, world.sam):
        client.force_login(person)
        assert client.post(f"{REPUTATION}postmaster/connect/").status_code == 404
    assert not any(path.startswith("/o/oauth2") for _method, path in google.calls)


def test_disconnect_revokes_at_google(client, world, google, english, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    connect(client, django_capture_on_commit_callbacks)
    refresh = next(iter(google.refresh_tokens))
    answer = client.post(f"{REPUTATION}postmaster/disconnect/")
    assert answer.status_code == 302
    assert google.revoked == [refresh] and not google.refresh_tokens
    assert not PostmasterConnection.objects.exists()
    assert AuditEvent.objects.filter(account=world.acme, kind="postmaster_disconnected").exists()
    assert "Not connected." in visible_text(client.get(REPUTATION))


def test_another_accounts_page_is_like_a_missing_one(client, world, google):
    refresh, access = google.grant()
    PostmasterConnection.objects.create(
        account=world.globex, refresh_token=postmaster_oauth.seal(refresh), connected_at="2026-12-01T00:00Z"
    )
    client.force_login(world.alice)
    assert_same_404(client, "/a/globex/reputation/", "/a/nowhere/reputation/")
    assert_same_404(
        client, "/a/globex/reputation/postmaster/disconnect/", "/a/nowhere/reputation/postmaster/disconnect/", "post"
    )
    assert PostmasterConnection.objects.filter(account=world.globex).exists()
    assert google.revoked == []
