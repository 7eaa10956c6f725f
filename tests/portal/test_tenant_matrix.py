"""Tenant isolation as a matrix: every URL of the project x every role (STYLE: Tests).

Every named URL pattern outside the admin (tests/accounts/test_admin.py covers that) has an entry in
MATRIX; a new pattern without one fails ``test_every_url_pattern_has_a_matrix_entry``. Each entry says
how to request the page for Acme's objects and what each role gets. Another account's object is a 404,
exactly like a missing one, and its body never names the other tenant.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import quote

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Membership
from tests.helpers import (
    ACME_READERS,
    HTMX,
    LOGIN,
    ROLES,
    assert_expected,
    assert_tells_nothing_about_acme,
    login_url,
    normalised,
    roles,
    sign_in,
    templates,
)

STAFF = ["tina", "tom", "tess", "sam", "root"]
CUSTOMERS = ["alice", "arthur", "bob"]
SIGNED_IN = CUSTOMERS + STAFF


@dataclass(frozen=True)
class Case:
    method: str
    url: Callable  # (world) -> path
    expect: dict  # role -> status (int), LOGIN, or the exact Location of a 302 (str)
    data: Callable = field(default=lambda w: {})
    changes_team: bool = False  # a POST that changes Acme's team when allowed, and nothing otherwise


def path(p: str) -> Callable:
    return lambda w: p


def reauth(p: str) -> dict:
    return roles(f"/reauthenticate/?next={quote(p, safe='')}", anonymous=LOGIN)


WITH_FACTOR = roles(200, anonymous=LOGIN)


TINA_KEY = 900001
KEY_PATH = f"/account/two-factor/webauthn/keys/{TINA_KEY}/"
KEY_PAGE = reauth(f"{KEY_PATH}edit/")


def tina_key(w) -> int:
    """A security key of Tina's (a TAM of Acme), at a number the expectations can name."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.get_or_create(
        pk=TINA_KEY, user=w.tina, type=Authenticator.Type.WEBAUTHN, data={"name": "Key"}
    )
    return TINA_KEY


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    """Files a row makes (an export's zip) go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"


def acme_export(w) -> int:
    """A ready export of Acme's data (issue 18), for the download row."""
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from accounts.models import DataExport

    export = DataExport(account=w.acme, status=DataExport.Status.READY, expires_at=timezone.now() + timedelta(days=1))
    export.file.save("matrix.zip", ContentFile(b"PK"), save=True)
    return export.pk


def arthur_membership(w) -> int:
    return Membership.objects.get(account=w.acme, user=w.arthur).pk


# Changing Acme's team: its account admin and staff holding the permission (Acme's TAMs, a superuser);
# a plain member, a view-only agent and other tenants get a 404, exactly like a missing object (one answer
# for "not allowed": accounts.access.require).
ACME_TEAM_CHANGE = roles(
    "/a/acme/team/", anonymous=LOGIN, arthur=404, sam=404, bob=404, tess=404
)  # MISSION: TAM-1 (the TAM runs the account)
PUBLIC = roles(200)
SIGNED_IN_ONLY = roles(200, anonymous=LOGIN)


MATRIX: dict[str, list[Case]] = {
    "home": [
        Case(
            "GET",
            path("/"),
            roles(
                "/console/",
                anonymous=LOGIN,
                alice="/a/acme/",
                arthur="/a/acme/",
                bob="/a/globex/",
            ),
        )
    ],
    # MISSION: TAM-1, CR-1 — the dashboard shows the account's TAM and Severity 1 line.
    "account-dashboard": [Case("GET", path("/a/acme/"), ACME_READERS)],
    "account-panel": [Case("GET", path("/a/acme/panel/tam-card/"), ACME_READERS)],
    "team": [
        Case("GET", path("/a/acme/team/"), ACME_READERS),
        Case(
            "POST",
            path("/a/acme/team/"),
            ACME_TEAM_CHANGE,
            data=lambda w: {"email": "newcomer@acme.test", "full_name": "New Comer", "role": "member"},
            changes_team=True,
        ),
    ],
    # Issue 14 (ASVS 3.3): how long the team's sign-ins last is Acme's admin's choice alone; everyone else,
    # Acme's own staff included, gets the 404 of a page that does not exist.
    "team-sessions": [
        Case("GET", path("/a/acme/team/sessions/"), roles(404, anonymous=LOGIN, alice=200)),
        Case(
            "POST",
            path("/a/acme/team/sessions/"),
            roles(404, anonymous=LOGIN, alice="/a/acme/team/sessions/"),
            data=lambda w: {"session_idle_minutes": "15", "session_max_hours": "8"},
        ),
    ],
    # Issue 18: the account's data export is its admin's alone (GDPR Art. 20); erasing a person is the TAM's
    # (Art. 17). Everyone else, Acme's own agent included, gets the 404 of a page that does not exist.
    "data-export": [
        Case("GET", path("/a/acme/team/export/"), roles(404, anonymous=LOGIN, alice=200)),
        Case("POST", path("/a/acme/team/export/"), roles(404, anonymous=LOGIN, alice="/a/acme/team/export/")),
    ],
    "data-export-download": [
        Case("GET", lambda w: f"/a/acme/team/export/{acme_export(w)}/", roles(404, anonymous=LOGIN, alice=200))
    ],
    "person-erase": [
        Case("GET", path("/console/accounts/acme/erase/"), roles(404, anonymous=LOGIN, tina=200, tom=200, root=200)),
        Case(
            "POST",
            path("/console/accounts/acme/erase/"),
            roles(404, anonymous=LOGIN, tina=200, tom=200, root=200),
            data=lambda w: {"email": "nobody@acme.test", "reason": "Verified by phone"},
        ),
    ],
    "member-role": [
        Case(
            "POST",
            lambda w: f"/a/acme/team/{arthur_membership(w)}/role/",
            ACME_TEAM_CHANGE,
            data=lambda w: {"role": "admin"},
            changes_team=True,
        )
    ],
    "member-remove": [
        Case("POST", lambda w: f"/a/acme/team/{arthur_membership(w)}/remove/", ACME_TEAM_CHANGE, changes_team=True)
    ],
    # The staff console is a 404 to customers, like any page that is not theirs.
    "console": [Case("GET", path("/console/"), roles(200, anonymous=LOGIN, alice=404, arthur=404, bob=404))],
    # The account's audit trail: the staff who work on Acme; Globex's TAM and every customer get a 404.
    "account-audit": [Case("GET", path("/console/accounts/acme/audit/"), ACME_READERS | {"alice": 404, "arthur": 404})],
    "profile": [Case("GET", path("/profile/"), SIGNED_IN_ONLY)],
    "set-language": [
        Case(
            "POST",
            path("/language/"),
            roles("/password/reset/"),
            data=lambda w: {"language": "pl", "next": "/password/reset/"},
        )
    ],
    "healthz": [Case("GET", path("/healthz"), PUBLIC)],
    "livez": [Case("GET", path("/livez"), PUBLIC)],
    # Prometheus: a bearer token or a listed network, never a session (nothing configured here: off).
    "metrics": [Case("GET", path("/metrics"), roles(404))],
    # Issue 20: the REST API answers a token, never a session (tests/api/ cover tokens x accounts); its
    # description and reference page are public.
    "api-reference": [Case("GET", path("/api/v1/docs"), PUBLIC)],
    "api-1:openapi-json": [Case("GET", path("/api/v1/openapi.json"), PUBLIC)],
    "api-1:api-root": [Case("GET", path("/api/v1/"), roles(404))],
    "api-1:cases": [Case("GET", path("/api/v1/cases"), roles(401))],
    "api-1:case-open": [Case("POST", path("/api/v1/cases"), roles(401))],
    "api-1:case": [Case("GET", path("/api/v1/cases/ACME-000001"), roles(401))],
    "api-1:case-event": [Case("GET", path("/api/v1/cases/ACME-000001/events/1"), roles(401))],
    "api-1:case-reply": [Case("POST", path("/api/v1/cases/ACME-000001/replies"), roles(401))],
    "api-1:case-accept": [Case("POST", path("/api/v1/cases/ACME-000001/accept"), roles(401))],
    "api-1:case-reject": [Case("POST", path("/api/v1/cases/ACME-000001/reject"), roles(401))],
    "api-1:blocklist-status": [Case("GET", path("/api/v1/blocklists/status"), roles(401))],
    "api-1:blocklist-events": [Case("GET", path("/api/v1/blocklists/events"), roles(401))],
    "api-1:authentication": [Case("GET", path("/api/v1/authentication"), roles(401))],
    "api-1:warmup-plans": [Case("GET", path("/api/v1/warmup/plans"), roles(401))],
    "api-1:warmup-plan": [Case("GET", path("/api/v1/warmup/plans/1"), roles(401))],
    "api-1:availability-month": [Case("GET", path("/api/v1/availability/months/2026-11"), roles(401))],
    "api-1:availability-attempts": [Case("POST", path("/api/v1/availability/attempts"), roles(401))],
    "api-1:warmup-actuals": [Case("POST", path("/api/v1/warmup/1/actuals"), roles(401))],
    "login": [Case("GET", path("/login/"), roles("/", anonymous=200))],
    "logout": [Case("POST", path("/logout/"), roles("/login/", anonymous=LOGIN))],
    "password_change": [Case("GET", path("/password/change/"), SIGNED_IN_ONLY)],
    "password_change_done": [Case("GET", path("/password/change/done/"), SIGNED_IN_ONLY)],
    "password_reset": [Case("GET", path("/password/reset/"), PUBLIC)],
    "password_reset_done": [Case("GET", path("/password/reset/sent/"), PUBLIC)],
    "password_reset_confirm": [
        # A link with a stale token: the "link no longer works" page, for anyone.
        Case("GET", lambda w: f"/password/reset/{urlsafe_base64_encode(force_bytes(w.alice.pk))}/stale-token/", PUBLIC)
    ],
    "password_reset_complete": [Case("GET", path("/password/reset/complete/"), PUBLIC)],
    # Two-factor sign-in and sessions (issue 14): allauth's pages, each about the signed-in person only. Pages
    # that change a second factor first ask for the password again (a test-client session has not just signed in).
    "account_login": [Case("GET", path("/login/"), roles("/", anonymous=200))],
    "account_logout": [Case("POST", path("/logout/"), roles("/login/", anonymous=LOGIN))],
    "account_reauthenticate": [Case("GET", path("/reauthenticate/"), SIGNED_IN_ONLY)],
    "mfa_index": [Case("GET", path("/account/two-factor/"), SIGNED_IN_ONLY)],
    # Only in the middle of a sign-in: anyone else is sent on.
    "mfa_authenticate": [Case("GET", path("/account/two-factor/authenticate/"), roles("/", anonymous="/login/"))],
    "mfa_trust": [Case("GET", path("/account/two-factor/trust/"), roles("/", anonymous="/login/"))],
    # Confirming with the second factor: for those who have one (staff, in the fixtures).
    "mfa_reauthenticate": [
        Case(
            "GET",
            path("/account/two-factor/reauthenticate/"),
            WITH_FACTOR | dict.fromkeys(CUSTOMERS, "/reauthenticate/"),
        )
    ],
    "mfa_reauthenticate_webauthn": [
        Case("GET", path("/account/two-factor/webauthn/reauthenticate/"), roles("/reauthenticate/", anonymous=LOGIN))
    ],
    "mfa_activate_totp": [
        Case("GET", path("/account/two-factor/totp/activate/"), reauth("/account/two-factor/totp/activate/"))
    ],
    "mfa_deactivate_totp": [
        Case(
            "GET",
            path("/account/two-factor/totp/deactivate/"),
            reauth("/account/two-factor/totp/deactivate/") | dict.fromkeys(CUSTOMERS, 404),
        )
    ],
    # Nobody in the fixtures has recovery codes yet: a 404 for everyone.
    "mfa_view_recovery_codes": [Case("GET", path("/account/two-factor/recovery-codes/"), roles(404, anonymous=LOGIN))],
    "mfa_download_recovery_codes": [
        Case("GET", path("/account/two-factor/recovery-codes/download/"), roles(404, anonymous=LOGIN))
    ],
    "mfa_generate_recovery_codes": [
        Case(
            "GET",
            path("/account/two-factor/recovery-codes/generate/"),
            reauth("/account/two-factor/recovery-codes/generate/"),
        )
    ],
    "mfa_list_webauthn": [Case("GET", path("/account/two-factor/webauthn/"), SIGNED_IN_ONLY)],
    "mfa_add_webauthn": [
        Case("GET", path("/account/two-factor/webauthn/add/"), reauth("/account/two-factor/webauthn/add/"))
    ],
    # Another person's security key (tests/accounts/test_mfa.py: a 404 after reauthentication, like a missing one).
    "mfa_edit_webauthn": [Case("GET", lambda w: f"{KEY_PATH.replace(str(TINA_KEY), str(tina_key(w)))}edit/", KEY_PAGE)],
    "mfa_remove_webauthn": [
        Case(
            "GET", lambda w: f"{KEY_PATH.replace(str(TINA_KEY), str(tina_key(w)))}remove/", reauth(f"{KEY_PATH}remove/")
        )
    ],
    "sessions-end-others": [Case("POST", path("/profile/sessions/end-others/"), roles("/profile/", anonymous=LOGIN))],
    # Requiring two-factor sign-in of Acme's team: whoever may change the team.
    "team-two-factor": [
        Case("POST", path("/a/acme/team/two-factor/"), ACME_TEAM_CHANGE, data=lambda w: {"require_two_factor": ""})
    ],
}

CASES = [
    pytest.param(name, case, role, id=f"{name}-{case.method}-{role}")
    for name, cases in MATRIX.items()
    for case in cases
    for role in ROLES
]
GET_CASES = [p for p in CASES if p.values[1].method == "GET"]


def url_names(resolver=None, namespace: str = "") -> set[str]:
    """Every URL name of the project, nested resolvers included, except the admin's namespace (tests/accounts/
    test_admin.py) and anymail's webhooks, which no session opens (tests/cases/test_webhook.py)."""
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "anymail"):
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            if (pattern.name or "").startswith("anymail-"):
                continue  # a webhook: basic auth, no session (tests/cases/test_webhook.py)
            names.add(f"{namespace}{pattern.name}" if pattern.name else f"<unnamed: {pattern.pattern}>")
    return names


def acme_team(world) -> list[tuple[str, str]]:
    return sorted(Membership.objects.filter(account=world.acme).values_list("user__email", "role"))


def request(client, case: Case, world, **headers):
    url = case.url(world)
    if case.method == "GET":
        return url, client.get(url, headers=headers)
    return url, client.post(url, case.data(world), headers=headers)


def test_every_url_pattern_has_a_matrix_entry():
    """Each app keeps the matrix of its own URLs; together they must cover every pattern of the project."""
    from tests.availability.test_views import MATRIX as AVAILABILITY_MATRIX
    from tests.cases.test_views import MATRIX as CASES_MATRIX
    from tests.deliverability.test_views_matrix import MATRIX as DELIVERABILITY_MATRIX
    from tests.integrations.test_views import MATRIX as INTEGRATIONS_MATRIX
    from tests.planning.test_matrix_more import MATRIX as MORE_PLANNING_MATRIX
    from tests.planning.test_views import MATRIX as PLANNING_MATRIX
    from tests.sso.test_views import MATRIX as SSO_MATRIX

    covered = (
        set(MATRIX)
        | set(CASES_MATRIX)
        | set(DELIVERABILITY_MATRIX)
        | set(PLANNING_MATRIX)
        | set(MORE_PLANNING_MATRIX)
        | set(AVAILABILITY_MATRIX)
        | set(INTEGRATIONS_MATRIX)
        | set(SSO_MATRIX)
    )
    names = url_names()
    uncovered = names - covered
    stale = covered - names
    assert not uncovered, f"URL patterns without a tenant-matrix entry in {__file__}: {sorted(uncovered)}"
    assert not stale, f"matrix entries for URL names that no longer exist: {sorted(stale)}"


@pytest.mark.parametrize(("name", "case", "role"), CASES)
def test_matrix(client, world, name, case, role):
    sign_in(client, world, role)
    before = acme_team(world)
    url, response = request(client, case, world)
    expected = case.expect[role]
    assert_expected(response, expected, url)
    if case.changes_team:
        allowed = expected == "/a/acme/team/"
        assert (acme_team(world) != before) is allowed, f"{role} {'could not' if allowed else 'could'} change the team"
    if expected == 404:
        assert_tells_nothing_about_acme(response, world, url)


@pytest.mark.parametrize(("name", "case", "role"), GET_CASES)
def test_matrix_with_htmx(client, world, name, case, role):
    """STYLE: an expired session on an htmx request answers with HX-Redirect to login, not a login page
    swapped into a fragment; everyone else gets the same answer as without htmx."""
    sign_in(client, world, role)
    url = case.url(world)
    response = client.get(url, headers={**HTMX, "HX-Current-URL": f"http://testserver{url}"})
    expected = case.expect[role]
    if expected == LOGIN:
        assert response.status_code == 200
        assert response["HX-Redirect"] == login_url(url)
        assert b"<form" not in response.content  # no login page to swap into a fragment
    else:
        assert "HX-Redirect" not in response
        assert_expected(response, expected, url)
    if expected == 404:
        assert_tells_nothing_about_acme(response, world, url)


@pytest.mark.parametrize("role", ["bob", "tess"])
def test_another_tenants_account_is_exactly_like_a_missing_one(client, world, role):
    client.force_login(getattr(world, role))
    theirs = client.get("/a/acme/")
    missing = client.get("/a/does-not-exist/")

    assert theirs.status_code == missing.status_code == 404
    assert templates(theirs) == templates(missing)
    assert normalised(theirs, "/a/acme/") == normalised(missing, "/a/does-not-exist/")
    assert "Acme" not in theirs.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/a/acme/team/{pk}/role/", "/a/acme/team/{pk}/remove/"],
    ids=["member-role", "member-remove"],
)
def test_another_tenants_membership_is_exactly_like_a_missing_one(client, world, url):
    client.force_login(world.bob)
    pk = arthur_membership(world)
    theirs = client.post(url.format(pk=pk), {"role": "admin"})
    missing = client.post(url.format(pk=pk + 1000), {"role": "admin"})

    assert theirs.status_code == missing.status_code == 404
    assert templates(theirs) == templates(missing)
    assert Membership.objects.get(pk=pk).role == Membership.Role.MEMBER  # nothing changed


def test_a_globex_membership_under_acmes_address_is_a_404_for_acmes_admin(client, world):
    """Alice may manage Acme's team, but not Bob's membership by putting its id under /a/acme/."""
    bobs = Membership.objects.get(account=world.globex, user=world.bob)
    client.force_login(world.alice)

    assert client.post(f"/a/acme/team/{bobs.pk}/role/", {"role": "member"}).status_code == 404
    assert client.post(f"/a/acme/team/{bobs.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=bobs.pk, role=Membership.Role.ADMIN).exists()
