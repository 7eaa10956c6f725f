"""`make run`: the demo staff sign in with the published password and the code `manage.py demo_code` prints."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.management.commands.seed_demo import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("email", "page"), [("tina@tam.test", "/console/"), ("admin@portal.test", "/admin/")])
def test_demo_staff_sign_in_with_the_demo_code(client, email, page):
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())  # idempotent: still one authenticator each
    out = StringIO()
    call_command("demo_code", stdout=out)
    code = out.getvalue().split()[0]

    assert client.post("/login/", {"login": email, "password": DEMO_PASSWORD})["Location"] == (
        "/account/two-factor/authenticate/"
    )
    client.post("/account/two-factor/authenticate/", {"code": code})
    client.post("/account/two-factor/trust/", {"action": "skip"})

    assert client.get(page).status_code == 200


def test_demo_customers_sign_in_with_the_password_only(client):
    call_command("seed_demo", stdout=StringIO())
    assert client.post("/login/", {"login": "alice@acme.test", "password": DEMO_PASSWORD})["Location"] == "/"
    assert client.get("/a/acme/").status_code == 200
