"""``accounts.access``: the one answer to "may this person do this on this account" (STYLE: one way per thing).

``can()`` as a matrix (every declared action x every kind of person), the tenant rule (``reach``) agreeing with
``Account.objects.visible_to`` for everyone, one answer (404) for "same tenant, not allowed", and each app
declaring its own grants."""

import re
from importlib import import_module
from importlib.util import find_spec
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser, Permission
from django.http import Http404

from accounts import access
from accounts.models import Account
from accounts.roles import role_permissions
from tests.accounts.factories import AccountFactory, MembershipFactory, TamFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def people(world):
    """Each kind of person, with the account they act on."""
    closed_tam = TamFactory(email="cleo@tam.test")
    closed = AccountFactory(name="Shut Co", slug="shut-co", status=Account.Status.CLOSED, primary_tam=closed_tam)
    closed_admin = UserFactory(email="carl@shut.test")
    MembershipFactory(account=closed, user=closed_admin, role="admin")
    inactive = UserFactory(email="ivy@acme.test", is_active=False)
    MembershipFactory(account=world.acme, user=inactive, role="admin")
    inactive_tam = TamFactory(email="ian@tam.test", is_active=False)
    AccountFactory(name="Initech", slug="initech", primary_tam=inactive_tam)
    return {
        "customer admin": (world.alice, world.acme),
        "customer member": (world.arthur, world.acme),
        "admin of a closed account": (closed_admin, closed),
        "another tenant's admin": (world.bob, world.acme),
        "TAM of the account": (world.tina, world.acme),
        "backup TAM of the account": (world.tom, world.acme),
        "TAM of a closed account": (closed_tam, closed),
        "TAM of another account": (world.tess, world.acme),
        "agent": (world.sam, world.acme),
        "agent on a closed account": (world.sam, closed),
        "superuser": (world.root, world.acme),
        "inactive admin": (inactive, world.acme),
        "inactive TAM": (inactive_tam, Account.objects.get(slug="initech")),
    }


STAFF_OF_THE_ACCOUNT = {"TAM of the account", "backup TAM of the account", "TAM of a closed account", "superuser"}
TEAM = {"customer admin", "customer member"}
ADMINS_AND_TAMS = {"customer admin"} | STAFF_OF_THE_ACCOUNT
READERS = TEAM | STAFF_OF_THE_ACCOUNT | {"agent"}

# Who may take each action; everyone else may not. A new action without a row fails the matrix.
ALLOWED = {
    "account.view": READERS,
    "team.manage": ADMINS_AND_TAMS,
    "api_tokens.manage": ADMINS_AND_TAMS,
    "case.work": READERS,
    "case.follow": READERS,  # issue 15: the staff who work on the account follow a case too
    "case.merge": STAFF_OF_THE_ACCOUNT | {"agent"},  # issue 15: staff only
    "monitoring.manage": ADMINS_AND_TAMS,
    "mediation.work": TEAM | STAFF_OF_THE_ACCOUNT,  # not an agent (issue 14: the TAM works it)
    "warmup.plan": STAFF_OF_THE_ACCOUNT,
    "warmup.send_actuals": ADMINS_AND_TAMS,
    "capacity.edit": ADMINS_AND_TAMS,
    "roadmap.manage": STAFF_OF_THE_ACCOUNT,
    "migration.manage": STAFF_OF_THE_ACCOUNT,
    "migration.sign": ADMINS_AND_TAMS,
    "sessions.manage": {"customer admin"},  # issue 14: the customer's own choice, not staff's
    "data.export": {"customer admin"},  # issue 18: the company's data, to its admin (GDPR Art. 20)
    "person.erase": STAFF_OF_THE_ACCOUNT,  # issue 18: on a request the TAM verified (Art. 17)
    "profile.manage": STAFF_OF_THE_ACCOUNT,  # issue 16: the TAM records the sender profile
    "dmarc.upload": TEAM | STAFF_OF_THE_ACCOUNT,  # issue 19: not an agent
    "dmarc.manage": ADMINS_AND_TAMS,  # issue 19: the report address
    "dmarc.replay": STAFF_OF_THE_ACCOUNT | {"agent"},  # issue 19: count refused reports again (staff)
    "snds.manage": ADMINS_AND_TAMS,  # issue 19: the Microsoft SNDS key
    "postmaster.connect": {"customer admin"},  # issue 19: the customer's Google consent
    "postmaster.import": ADMINS_AND_TAMS,  # issue 19: an import now, rate-limited
    "webhooks.manage": {"customer admin"},  # issues 19, 20: where the account's events go, and their secrets
    "sso.manage": ADMINS_AND_TAMS,  # issue 20: the company's identity provider
    "sso.confirm_domain": STAFF_OF_THE_ACCOUNT,  # issue 20: a domain vouched for by the TAM, without DNS
}


def test_every_declared_action_has_a_row_in_the_matrix():
    assert set(access.actions()) == set(ALLOWED)


@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_can_matrix(people, action):
    answers = {who: access.can(user, action, account) for who, (user, account) in people.items()}
    assert {who for who, allowed in answers.items() if allowed} == ALLOWED[action]


def test_an_unknown_action_is_a_programming_error(world):
    with pytest.raises(KeyError):
        access.can(world.alice, "team.mange", world.acme)


def test_nobody_signed_out_may_do_anything(world):
    assert not any(access.can(AnonymousUser(), action, world.acme) for action in ALLOWED)


def test_require_answers_404_for_same_tenant_not_allowed(world):
    """One answer for "same tenant, not allowed": a 404, exactly like another tenant's object."""
    access.require(world.alice, "team.manage", world.acme)
    for user in (world.arthur, world.sam, world.bob):
        with pytest.raises(Http404):
            access.require(user, "team.manage", world.acme)


def test_reach_agrees_with_visible_to_for_every_person_and_account(people, world):
    """The tenant rule is written once (``reach``); the database filter and the one-account check read it."""
    everyone = {user for user, _account in people.values()} | {
        UserFactory(email="plain-staff@portal.test", is_staff=True),
        AnonymousUser(),
    }
    for account in Account.objects.all():
        for user in everyone:
            expected = Account.objects.visible_to(user).filter(pk=account.pk).exists()
            assert access.reach(user).admits(account) is expected, (account.slug, str(user))
            staffed = Account.objects.staffed_by(user).filter(pk=account.pk).exists()
            assert staffed is (expected and user.is_staff), (account.slug, str(user))


def test_a_customer_check_costs_one_query_and_a_staff_check_none(world, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert access.can(world.alice, "team.manage", world.acme)
    world.tina.has_perm("accounts.add_membership")  # Django caches the permissions on the user
    with django_assert_num_queries(0):
        assert access.can(world.tina, "case.work", world.acme)
        assert not access.can(world.tess, "case.work", world.acme)


def test_within_one_unit_of_work_a_person_s_reach_is_read_once(world, django_assert_num_queries):
    """Issue 18: an inbound email asks about its sender up to three times; inside ``reach_once`` each person's
    team is read once, and the answers are the ones ``can()`` gives outside it."""
    asked = [(world.alice, "case.work"), (world.alice, "team.manage"), (world.arthur, "team.manage")] * 2
    with django_assert_num_queries(2), access.reach_once():  # Alice's team, then Arthur's
        inside = [access.can(user, action, world.acme) for user, action in asked]
    with django_assert_num_queries(len(asked)):  # outside it, every check reads the team again
        outside = [access.can(user, action, world.acme) for user, action in asked]
    assert inside == outside == [True, True, False] * 2


# --- grants: each app declares its own ---------------------------------------------------------------------


def test_each_app_declares_the_permissions_of_its_own_models_only():
    declaring = []
    for config in apps.get_app_configs():
        if find_spec(f"{config.name}.access") is None:
            continue
        grants = import_module(f"{config.name}.access").GRANTS
        declaring.append(config.label)
        for perms in grants.roles.values():
            assert {p.split(".", 1)[0] for p in perms} == {config.label}, config.label
    assert declaring == ["accounts", "cases", "deliverability", "planning", "availability", "integrations", "sso"]


def test_every_granted_permission_exists(db):
    real = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.select_related("content_type")}
    for role in ("tam", "agent"):
        granted = role_permissions(SimpleNamespace(is_active=True, is_staff=True, staff_role=role))
        assert granted and granted <= real, sorted(granted - real)
    for rule in access.actions().values():
        assert rule.staff in (None, access.ANY_STAFF) or rule.staff in real, rule.staff


def test_roles_collect_every_apps_grants():
    """The permissions of a TAM and an agent as they were when ``accounts/roles.py`` listed them all, plus the
    TAM's ``deliverability.change_mediationrequest`` (issue 14: the TAM, not an agent, works mediation)."""
    tam = role_permissions(SimpleNamespace(is_active=True, is_staff=True, staff_role="tam"))
    agent = role_permissions(SimpleNamespace(is_active=True, is_staff=True, staff_role="agent"))
    apps_ = {"accounts", "cases", "deliverability", "planning", "availability", "integrations", "sso"}
    assert {p.split(".")[0] for p in tam} == apps_
    # issue 16: sender profiles; issue 15: canned replies (both roles); issue 19: DMARC reports (3 views, 3 changes);
    # issues 19, 20: the webhook log (read, both); issue 17: migration streams and milestones in the admin (TAM:
    # view, add, change, delete of each; agent: view); issue 19: agents replay refused DMARC reports; Microsoft
    # SNDS (3 views, both; the TAM changes the connection); issue 20: single sign-on connections and domains (TAM:
    # view, add, change, delete of each; agent: none); issue 19: Google Postmaster Tools in the admin (3 views,
    # both; the TAM changes the connection: "Import now")
    assert len(tam) == 125 and len(agent) == 60
    assert "deliverability.change_mediationrequest" in tam - agent
    assert agent < tam
    assert role_permissions(SimpleNamespace(is_active=False, is_staff=True, staff_role="tam")) == frozenset()


# --- no second copy ------------------------------------------------------------------------------------------

APP_DIRS = ["accounts", "cases", "deliverability", "planning", "availability", "integrations", "portal", "core"]
SECOND_COPIES = [
    # A role or permission test outside the access module: "may X do Y" written again.
    (re.compile(r"\.has_perm\("), {"accounts/access.py", "accounts/admin.py"}),
    (re.compile(r"Membership\.objects\.admins\(\)\.filter\([^)]*user"), set()),
    (re.compile(r"is_staffed_by|can_manage_team|can_manage_monitoring|can_send_actuals|_can_plan|_is_tam\b"), set()),
    (re.compile(r"primary_tam_id, \w+\.backup_tam_id\)"), {"accounts/access.py"}),
]


def test_no_second_copy_of_an_access_rule_comes_back():
    offenders = []
    for folder in APP_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative:
                continue
            text = path.read_text()
            for pattern, allowed in SECOND_COPIES:
                if relative not in allowed and pattern.search(text):
                    offenders.append((relative, pattern.pattern))
    assert offenders == []
