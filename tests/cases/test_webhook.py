"""Inbound mail through django-anymail's webhooks (SparkPost relay webhooks here): HTTP basic auth from
ANYMAIL["WEBHOOK_SECRET"], never a portal session; the relayed message goes through the same pipeline as
the MTA pipe, stored as relayed; a failure to store answers 5xx so the provider retries."""

import pytest
from anymail import urls as anymail_urls
from django.db import OperationalError
from django.test import Client
from django.urls import reverse

from cases.email import ingest
from cases.models import Case, InboundMessage
from tests.cases import mail_corpus as m
from tests.cases.relay import basic_auth, sparkpost

URL = "/anymail/sparkpost/inbound/"
ANYMAIL_URL_NAMES = [p.name for p in anymail_urls.urlpatterns if p.name.startswith("sparkpost_")]


pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py


@pytest.fixture
def relay():
    """A client that never raises the view's exception: we look at the status the provider would get."""
    return Client(raise_request_exception=False)


@pytest.fixture
def auth(settings) -> dict:
    return basic_auth(settings.ANYMAIL["WEBHOOK_SECRET"])


def post(client, raw: bytes, headers: dict, **kw):
    return client.post(URL, sparkpost(raw, **kw), content_type="application/json", **headers)


@pytest.mark.parametrize("b64", [False, True], ids=["text", "base64"])
def test_a_relayed_message_opens_a_case(relay, world, auth, b64):
    response = post(relay, m.gmail_reply(subject="Bounces from Gmail"), auth, b64=b64)
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.number, case.reporter, case.channel) == ("ACME-000001", world.alice, Case.Channel.EMAIL)
    message = InboundMessage.objects.get()
    assert (message.source, message.envelope_sender, message.envelope_recipient) == (
        InboundMessage.Source.WEBHOOK,
        "alice@acme.test",
        "support@acme.portal.test",
    )


def test_a_relayed_reply_threads_onto_its_case_and_a_retry_does_nothing(relay, world, auth):
    post(relay, m.plain(subject="Bounces"), auth)
    case = Case.objects.get()
    reply = m.outlook_reply(subject=f"RE: [{case.number}] Bounces")
    assert post(relay, reply, auth).status_code == post(relay, reply, auth).status_code == 200
    assert case.events.filter(kind="reply").count() == 1
    assert InboundMessage.objects.count() == 2


def test_the_critical_address_as_envelope_recipient_opens_a_critical_case(relay, world, auth):
    post(relay, m.plain(subject="Nothing goes out"), auth, rcpt_to=m.CRITICAL)
    assert Case.objects.get().severity == Case.Severity.CRITICAL


def test_the_message_is_stored_exactly_as_relayed(relay, world, auth):
    """Raw first: the bytes SparkPost delivered, not a re-serialisation (refolded headers, LF for CRLF)."""
    raw = m.outlook_reply(subject="Bounces")
    post(relay, raw, auth)
    assert bytes(InboundMessage.objects.get().raw) == raw


def test_polish_windows_1250_mail_comes_through_the_webhook(relay, world, auth):
    """8-bit windows-1250 is not UTF-8: SparkPost relays it base64-encoded."""
    response = post(relay, m.polish_cp1250(), auth, b64=True)
    assert response.status_code == 200
    assert Case.objects.get().description == m.POLISH


def test_a_message_of_a_few_megabytes_is_accepted(relay, world, auth):
    """Within INBOUND_MAX_BYTES (25 MB) a message with a 6 MB log is an ordinary case."""
    raw = m.enormous(6 * 1024 * 1024, subject="Queue dump")
    response = post(relay, raw, auth)
    assert response.status_code == 200
    assert Case.objects.get().attachments.get().name == "queue.tar.gz"


def test_a_message_over_the_limit_is_stored_and_quarantined(relay, world, auth, settings):
    settings.INBOUND_MAX_BYTES = 50_000
    assert post(relay, m.enormous(80_000), auth).status_code == 200
    message = InboundMessage.objects.get()
    assert message.status == InboundMessage.Status.QUARANTINED and message.size > 50_000
    assert str(message.reason).startswith("too large") and not Case.objects.exists()


def test_when_storing_fails_the_provider_is_told_to_retry(relay, world, auth, monkeypatch):
    def database_down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(ingest, "store", database_down)
    response = post(relay, m.plain(), auth)
    assert response.status_code >= 500
    assert not InboundMessage.objects.exists()


# --- authentication: the webhook secret, never a session ----------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, "nobody:nothing", "portal-inbound:wrong", "WRONG-SCHEME"],
    ids=["none", "wrong-user", "wrong-password", "bearer"],
)
def test_without_the_webhook_secret_the_message_is_refused_and_not_stored(relay, world, headers):
    if headers == "WRONG-SCHEME":
        headers = {"HTTP_AUTHORIZATION": "Bearer portal-inbound:change-me-in-production"}
    elif isinstance(headers, str):
        headers = basic_auth(headers)
    response = post(relay, m.plain(), headers)
    assert response.status_code == 400
    assert not InboundMessage.objects.exists() and not Case.objects.exists()


@pytest.mark.parametrize("role", ["alice", "tina", "root"])
def test_a_signed_in_session_is_no_substitute_for_the_secret(relay, world, role):
    relay.force_login(getattr(world, role))
    response = post(relay, m.plain(), {})
    assert response.status_code == 400
    assert not InboundMessage.objects.exists()


@pytest.mark.parametrize("name", ANYMAIL_URL_NAMES)
@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "alice"])
def test_every_anymail_url_refuses_a_request_without_the_secret(relay, world, name, signed_in):
    """Without the basic-auth secret a webhook POST is a 400 (anymail's validation failure), a GET a 405."""
    if signed_in:
        relay.force_login(world.alice)
    url = reverse(f"anymail:{name}")
    response = relay.post(url, sparkpost(m.plain()), content_type="application/json")
    assert response.status_code == 400, url
    assert relay.get(url).status_code == 405, url
    assert not InboundMessage.objects.exists()


# anymail's other providers cannot check a request without their keys (AnymailConfigurationError, or
# AnymailImproperlyInstalled without boto3, before the secret is looked at): a 500. Not routed unless listed.
UNCONFIGURED = [p for p in anymail_urls.urlpatterns if not p.name.startswith("sparkpost_")]


@pytest.mark.parametrize("pattern", UNCONFIGURED, ids=lambda p: p.name)
def test_webhooks_of_providers_not_set_up_are_not_routed(db, relay, pattern):
    url = f"/anymail/{pattern.pattern}"
    assert relay.post(url, sparkpost(m.plain()), content_type="application/json").status_code == 404, url
    assert not InboundMessage.objects.exists()
