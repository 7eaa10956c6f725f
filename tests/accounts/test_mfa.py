"""Two-factor sign-in (issue 14; ASVS 2.7, 2.8): required of staff, the admin included; required of a company's
people when its account admin says so; the last second factor of such a person cannot be removed; changes
to second factors are audited. The browser side (TOTP, recovery codes, trusted browser, security keys) is
in tests/browser/test_two_factor.py."""

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import AuditEvent
from tests.accounts.factories import PASSWORD, AgentFactory, SuperuserFactory, TamFactory, add_totp
from tests.helpers import HTMX, confirm_password, sign_in_with_code, signed_in, text, totp_code

pytestmark = pytest.mark.django_db
SET_UP = "/account/two-factor/"


@pytest.mark.parametrize("factory", [AgentFactory, TamFactory, SuperuserFactory])
@pytest.mark.parametrize("page", ["/console/", "/console/cases/", "/admin/", "/a/acme/", "/profile/"])
def test_staff_without_a_second_factor_are_sent_to_set_one_up_whatever_they_ask_for(client, world, factory, page):
    person = factory(two_factor=False)
    client.force_login(person)

    response = client.get(page)

    assert response.status_code == 302 and response["Location"] == SET_UP
    page_shown = client.get(SET_UP)
    assert page_shown.status_code == 200
    assert "Set up two-factor sign-in to continue" in text(page_shown)


def test_htmx_requests_of_staff_without_a_second_factor_are_redirected_too(client, world):
    client.force_login(AgentFactory(two_factor=False))
    response = client.get("/console/", headers=HTMX)
    assert response["HX-Redirect"] == SET_UP


def test_staff_password_alone_does_not_sign_in_the_code_does(client, world):
    response = client.post("/login/", {"login": "tina@tam.test", "password": PASSWORD})

    assert response.status_code == 302 and response["Location"] == "/account/two-factor/authenticate/"
    assert not signed_in(client)
    assert client.get("/console/")["Location"] == "/login/?next=/console/"

    wrong = client.post("/account/two-factor/authenticate/", {"code": "000000"})
    assert wrong.status_code == 200 and not signed_in(client)

    sign_in_with_code(client, "tina@tam.test", PASSWORD)
    assert signed_in(client)
    assert client.get("/console/").status_code == 200


def test_the_admin_cannot_be_reached_with_a_password_only(client, world):
    """Django's own admin sign-in form is never shown: /admin/ sends to the portal's sign-in (second factor)."""
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/?next=%2Fadmin%2F"

    posted = client.post("/admin/login/", {"username": "root@portal.test", "password": PASSWORD})
    assert posted.status_code == 302 and posted["Location"].startswith("/login/")
    assert not signed_in(client)

    sign_in_with_code(client, "root@portal.test", PASSWORD)
    assert client.get("/admin/").status_code == 200


def test_a_company_that_requires_two_factor_sends_its_people_to_set_it_up_others_unaffected(client, world):
    world.acme.require_two_factor = True
    world.acme.save()

    client.force_login(world.arthur)
    assert client.get("/a/acme/")["Location"] == SET_UP
    assert client.get("/account/two-factor/totp/activate/").status_code in (200, 302)  # the set-up pages stay open

    client.force_login(world.bob)  # Globex does not require it
    assert client.get("/a/globex/").status_code == 200

    add_totp(world.arthur)
    client.force_login(world.arthur)
    assert client.get("/a/acme/").status_code == 200


def test_the_account_admin_requires_two_factor_of_the_team_audited(client, world):
    client.force_login(world.alice)
    page = client.get("/a/acme/team/")
    assert "Require two-factor sign-in of everyone on the team" in text(page)

    response = client.post("/a/acme/team/two-factor/", {"require_two_factor": "on"})

    assert response["Location"] == "/a/acme/team/"
    world.acme.refresh_from_db()
    assert world.acme.require_two_factor
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TWO_FACTOR_REQUIRED)
    assert (event.account, event.actor, event.details) == (world.acme, world.alice, {"required": True})
    # Alice herself has no second factor yet: she is sent to set one up, like everyone on the team.
    assert client.get("/a/acme/")["Location"] == SET_UP


@pytest.mark.parametrize("role", ["arthur", "bob", "sam", "tess"])
def test_only_whoever_may_change_the_team_may_require_it_a_404_for_others(client, world, role):
    client.force_login(getattr(world, role))
    page = client.get("/a/acme/team/")
    if page.status_code == 200:
        assert 'name="require_two_factor"' not in text(page)

    response = client.post("/a/acme/team/two-factor/", {"require_two_factor": "on"})

    assert response.status_code == 404
    world.acme.refresh_from_db()
    assert not world.acme.require_two_factor
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TWO_FACTOR_REQUIRED).exists()


def test_the_last_second_factor_of_staff_cannot_be_removed(client, world):
    sign_in_with_code(client, "sam@support.test", PASSWORD)
    confirm_password(client, PASSWORD)

    client.post("/account/two-factor/totp/deactivate/", {})

    assert Authenticator.objects.filter(user=world.sam, type="totp").exists()
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.AUTHENTICATOR_REMOVED).exists()


def test_a_customer_may_remove_theirs_unless_the_company_requires_it(client, world):
    add_totp(world.alice)
    add_totp(world.bob)
    world.acme.require_two_factor = True
    world.acme.save()

    sign_in_with_code(client, "alice@acme.test", PASSWORD)
    confirm_password(client, PASSWORD)
    client.post("/account/two-factor/totp/deactivate/", {})
    assert Authenticator.objects.filter(user=world.alice, type="totp").exists()

    client.logout()
    sign_in_with_code(client, "bob@globex.test", PASSWORD)
    confirm_password(client, PASSWORD)
    client.post("/account/two-factor/totp/deactivate/", {})
    assert not Authenticator.objects.filter(user=world.bob, type="totp").exists()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.AUTHENTICATOR_REMOVED)
    assert (event.actor, event.target_label, event.details) == (world.bob, str(world.bob), {"type": "totp"})


def test_setting_up_totp_signs_the_next_sign_in_with_a_code_audited(client, world, django_capture_on_commit_callbacks):
    agent = AgentFactory(email="new-agent@support.test", two_factor=False)
    client.post("/login/", {"login": agent.email, "password": PASSWORD})
    assert client.get("/console/")["Location"] == SET_UP
    assert client.get("/account/two-factor/totp/activate/")["Location"].startswith("/reauthenticate/")
    confirm_password(client, PASSWORD)

    page = client.get("/account/two-factor/totp/activate/")
    secret = re.search(r'id="authenticator_secret"[^>]*value="([A-Z2-7]+)"|value="([A-Z2-7]{32})"', text(page))
    secret = next(group for group in secret.groups() if group)
    with django_capture_on_commit_callbacks(execute=True):  # allauth signals the change once it is committed
        response = client.post("/account/two-factor/totp/activate/", {"code": totp_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=agent, type="totp").exists()
    assert client.get("/console/").status_code == 200
    kinds = set(AuditEvent.objects.filter(actor=agent).values_list("kind", flat=True))
    assert AuditEvent.Kind.AUTHENTICATOR_ADDED in kinds


def test_regenerating_recovery_codes_is_audited(client, world, django_capture_on_commit_callbacks):
    sign_in_with_code(client, "tina@tam.test", PASSWORD)
    confirm_password(client, PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/account/two-factor/recovery-codes/generate/", {})
    kinds = list(AuditEvent.objects.filter(actor=world.tina).values_list("kind", flat=True))
    assert AuditEvent.Kind.RECOVERY_CODES_RENEWED in kinds


def test_another_persons_security_key_is_a_404_like_a_missing_one(client, world):
    key = Authenticator.objects.create(user=world.tina, type=Authenticator.Type.WEBAUTHN, data={"name": "Tina's key"})
    sign_in_with_code(client, "tom@tam.test", PASSWORD)
    confirm_password(client, PASSWORD)

    for action in ("edit", "remove"):
        theirs = client.get(f"/account/two-factor/webauthn/keys/{key.pk}/{action}/")
        missing = client.get(f"/account/two-factor/webauthn/keys/999999/{action}/")
        assert theirs.status_code == missing.status_code == 404
        assert "Tina" not in text(theirs)
    assert Authenticator.objects.filter(pk=key.pk).exists()


def test_a_used_code_is_refused_the_second_time(client, world, frozen):
    frozen("2026-05-11 10:00:05")  # one 30-second period for the whole test
    code = totp_code()
    sign_in_with_code(client, "tina@tam.test", PASSWORD)
    assert signed_in(client)
    client.logout()

    client.post("/login/", {"login": "tina@tam.test", "password": PASSWORD})
    response = client.post("/account/two-factor/authenticate/", {"code": code})

    assert response.status_code == 200 and not signed_in(client)


def test_allauths_own_pages_are_in_polish(client, world):
    world.tina.language = "pl"
    world.tina.save()
    client.force_login(world.tina)
    assert "Autoryzacja dwuskładnikowa" in text(client.get(SET_UP))


def test_our_two_factor_texts_are_in_polish(client, world):
    world.alice.language = "pl"
    world.alice.save()
    client.force_login(world.alice)
    assert "Wymagaj logowania dwuskładnikowego od wszystkich w zespole" in text(client.get("/a/acme/team/"))
    profile = text(client.get("/profile/"))
    assert "Gdzie jesteś zalogowany" in profile and "Logowanie dwuskładnikowe" in profile
    client.post("/a/acme/team/two-factor/", {"require_two_factor": "on"})
    response = client.get("/a/acme/", follow=True)
    assert "Aby kontynuować, skonfiguruj logowanie dwuskładnikowe" in text(response)


def test_the_totp_secret_of_the_fixtures_is_the_one_allauth_checks(world):
    totp = TOTP(Authenticator.objects.get(user=world.sam, type="totp"))
    assert totp.validate_code(totp_code())


def test_a_trusted_browser_skips_the_code_for_30_days_at_most(client, world, frozen):
    frozen("2026-05-11 10:00")
    response = sign_in_with_code(client, "tina@tam.test", PASSWORD, trust=True)
    cookie = response.cookies["mfa_trusted"]
    assert int(cookie["max-age"]) == 30 * 24 * 60 * 60
    client.post("/logout/")  # signing out keeps the browser's cookies

    frozen("2026-06-09 10:00")  # 29 days later: the password is enough on this browser
    assert client.post("/login/", {"login": "tina@tam.test", "password": PASSWORD})["Location"] == "/"
    client.post("/logout/")  # signing out keeps the browser's cookies

    frozen("2026-06-10 10:01")  # 30 days and a minute: the code again
    assert client.post("/login/", {"login": "tina@tam.test", "password": PASSWORD})["Location"] == (
        "/account/two-factor/authenticate/"
    )
