"""Alerts and webhooks (issues 19, 20): the account admin's page, who may open it (everyone else: the 404 of a
missing page), the secret shown once, the test button, the delivery log, and the audit trail."""

import pytest

from accounts.models import AuditEvent
from integrations.models import Delivery, Destination
from tests.helpers import HTMX, LOGIN, ROLES, Row, check_htmx_row, check_row, roles, text, visible_text
from tests.integrations.factories import AttemptFactory, DeliveryFactory, DestinationFactory

pytestmark = pytest.mark.django_db
PAGE = "/a/acme/team/webhooks/"
ID = 700001
ONE = f"{PAGE}{ID}/"
ADMIN_ONLY = roles(404, anonymous=LOGIN, alice=200)


def redirects(to: str) -> dict:
    return roles(404, anonymous=LOGIN, alice=to)


def acme_secret(o):
    return Destination.objects.filter(pk=ID).values_list("secret", flat=True).first()


def acme_destinations(o):
    return Destination.objects.filter(account__slug="acme").count()


def test_form(**extra) -> dict:
    return {"name": "Ops", "kind": "https", "url": "https://hooks.example.com/in", "event_types": ["case.opened"],
            "language": "en", "timezone": "Europe/Warsaw", "enabled": "on"} | extra  # fmt: skip


test_form.__test__ = False  # a helper, not a test

MATRIX: dict[str, list[Row]] = {
    "webhooks": [
        Row("GET", lambda o: PAGE, ADMIN_ONLY),
        Row("POST", lambda o: PAGE, ADMIN_ONLY, data=lambda o: test_form(), changes=acme_destinations),
    ],
    "webhook": [Row("GET", lambda o: ONE, ADMIN_ONLY)],
    # Sent to 192.0.2.1 (documentation range, refused by the guard): logged, nothing leaves the machine.
    "webhook-test": [Row("POST", lambda o: f"{ONE}test/", redirects(ONE))],
    "webhook-rotate": [Row("POST", lambda o: f"{ONE}rotate/", ADMIN_ONLY, changes=acme_secret)],
    "webhook-delete": [Row("POST", lambda o: f"{ONE}delete/", redirects(PAGE), changes=acme_destinations)],
}
MATRIX_ROWS = [
    pytest.param(name, row, role, id=f"{name}-{row.method}-{role}")
    for name, rows in MATRIX.items()
    for row in rows
    for role in ROLES
]


@pytest.fixture
def objects(world, settings):
    settings.WEBHOOKS_ALLOW_NETWORKS = []
    return DestinationFactory(pk=ID, account=world.acme, name="Ops", url="https://192.0.2.1/hook")


@pytest.mark.parametrize(("name", "row", "role"), MATRIX_ROWS)
def test_webhooks_matrix(client, world, objects, name, row, role):
    check_row(client, world, objects, row, role)


@pytest.mark.parametrize(("name", "row", "role"), [p for p in MATRIX_ROWS if p.values[1].method == "GET"])
def test_webhooks_matrix_with_htmx(client, world, objects, name, row, role):
    check_htmx_row(client, world, objects, row, role)


def test_another_accounts_destination_is_a_404_like_a_missing_one(client, world):
    theirs = DestinationFactory(account=world.globex)
    client.force_login(world.alice)
    assert client.get(f"{PAGE}{theirs.pk}/").status_code == 404
    assert client.post(f"{PAGE}{theirs.pk}/delete/").status_code == 404
    assert Destination.objects.filter(pk=theirs.pk).exists()


def test_the_secret_is_shown_once_then_only_its_last_four(client, world, english):
    client.force_login(world.alice)
    response = client.post(PAGE, test_form())
    made = Destination.objects.get(account=world.acme)
    assert made.secret in text(response)
    assert "not shown again" in visible_text(response)
    for page in (PAGE, f"{PAGE}{made.pk}/"):
        body = text(client.get(page))
        assert made.secret not in body and made.secret[:-4] not in body
    assert made.secret[-4:] in text(client.get(f"{PAGE}{made.pk}/"))
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.WEBHOOK_CHANGED)
    assert event.details["action"] == "created" and made.secret not in str(event.details)


def test_rotating_shows_the_new_secret_once_and_keeps_the_old_one_a_day(client, world, frozen, english):
    frozen("2026-05-11 10:00")
    client.force_login(world.alice)
    d = DestinationFactory(account=world.acme)
    old = d.secret
    response = client.post(f"{PAGE}{d.pk}/rotate/")
    d.refresh_from_db()
    assert d.secret != old and d.secret in text(response)
    assert d.signing_secrets() == [d.secret, old]
    page = text(client.get(f"{PAGE}{d.pk}/"))
    assert old not in page and d.secret not in page
    frozen("2026-05-12 10:00:01")
    assert d.signing_secrets() == [d.secret]


def test_a_private_address_is_refused_when_saved(client, world, english):
    client.force_login(world.alice)
    response = client.post(PAGE, test_form(url="https://127.0.0.1/hook"))
    assert "not on the public internet" in visible_text(response)
    response = client.post(PAGE, test_form(url="http://hooks.example.com/in"))
    assert "Use an https:// address." in visible_text(response)
    assert not Destination.objects.exists()


def test_the_test_button_answers_with_the_result_in_place(client, world, receiver, english):
    d = DestinationFactory(account=world.acme, url=f"{receiver.url}/hook")
    receiver.secret = d.secret
    client.force_login(world.alice)
    response = client.post(f"{PAGE}{d.pk}/test/", headers=HTMX)
    assert response.status_code == 200
    assert "The test event was delivered: the endpoint answered 200." in visible_text(response)
    assert receiver.events()[0]["type"] == "test" and receiver.requests[0]["verified"]
    receiver.statuses = [503]
    response = client.post(f"{PAGE}{d.pk}/test/", headers=HTMX)
    assert "not delivered: the endpoint answered 503" in visible_text(response)
    assert Delivery.objects.filter(destination=d, status=Delivery.Status.FAILED).count() == 1


def test_the_delivery_log_shows_each_attempt(client, world, django_assert_max_num_queries, english):
    d = DestinationFactory(account=world.acme)
    for code in (500, 502, 200):
        AttemptFactory(delivery=DeliveryFactory(destination=d), status_code=code, response=f"answer {code}")
    client.force_login(world.alice)
    with django_assert_max_num_queries(12):
        response = client.get(f"{PAGE}{d.pk}/")
    log = visible_text(response)
    assert "answer 500" in log and "answer 200" in log and "502" in log


def test_the_team_page_links_the_admin_here(client, world):
    client.force_login(world.alice)
    assert PAGE in text(client.get("/a/acme/team/"))
    client.force_login(world.arthur)
    assert PAGE not in text(client.get("/a/acme/team/"))
