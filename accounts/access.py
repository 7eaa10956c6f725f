"""Who may do what on an account: the one answer (STYLE: one way per thing).

Two questions, both answered here and nowhere else:

- **Which accounts does a person reach?** ``reach(user)``. A customer: the accounts whose team they are on,
  unless closed. A TAM: the accounts they are TAM or backup TAM of. A support agent: every account that is
  not closed. A superuser: all. Anyone else (signed out, inactive, staff without a role): none.
  ``Account.objects.visible_to``/``staffed_by`` filter by it, and ``can()`` tests one account by it, so the
  two cannot disagree.
- **May they do this there?** ``can(user, action, account)``. The account must be in reach, and the action's
  ``Rule`` must grant it: customers by their role on the team, staff by a Django permission of their staff
  role (on an account they work on). Each app declares its own actions and the permissions of each staff
  role in ``<app>/access.py`` as ``GRANTS``; this module collects them (``accounts.roles`` serves the
  permissions to the auth backend).

Same tenant but not allowed has one answer everywhere: ``require()`` raises ``Http404``, exactly like
another tenant's object or a missing one (the house rule; Zulip's access helpers do the same). Services,
which have no response to give, raise their own domain error when ``can()`` says no.
"""

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import import_module
from importlib.util import find_spec
from types import MappingProxyType

from django.apps import apps
from django.db.models import Q
from django.http import Http404

from .models import Account, Membership, StaffRole

ADMIN = "admin"  # Membership.Role values: the roles of a customer on their account's team
MEMBER = "member"
TEAM = frozenset({ADMIN, MEMBER})
ANY_STAFF = "*"  # Rule.staff: every staff member who works on the account, whatever their permissions


@dataclass(frozen=True)
class Rule:
    """Who may take one action on an account they reach: customers whose team role is in ``customers``, and
    staff who hold the Django permission ``staff`` (``ANY_STAFF``: all of them; ``None``: no staff)."""

    customers: frozenset[str] = frozenset()
    staff: str | None = None


@dataclass(frozen=True)
class Grants:
    """What one app declares: its actions, and the Django permissions each staff role holds on its models."""

    actions: dict[str, Rule] = field(default_factory=dict)
    roles: dict[str, frozenset[str]] = field(default_factory=dict)


class Reach:
    """The accounts one person reaches: the tenant rule, decided once per person (see the module docstring).
    ``accounts_q()`` says it to the database; ``admits()`` says it for one account in hand."""

    def __init__(self, *, everything=False, tam_id=None, member_id=None, open_only=False):
        self.everything, self.tam_id, self.member_id, self.open_only = everything, tam_id, member_id, open_only

    def accounts_q(self) -> Q | None:
        """A filter on ``Account``; ``None`` when the person reaches no account at all."""
        if self.everything:
            q = Q()
        elif self.tam_id is not None:
            q = Q(primary_tam_id=self.tam_id) | Q(backup_tam_id=self.tam_id)
        elif self.member_id is not None:
            q = Q(memberships__user_id=self.member_id)
        elif self.open_only:
            q = Q()
        else:
            return None
        return q & ~Q(status=Account.Status.CLOSED) if self.open_only else q

    def admits(self, account) -> bool:
        if self.open_only and account.is_closed:
            return False
        if self.tam_id is not None:
            return self.tam_id in (account.primary_tam_id, account.backup_tam_id)
        if self.member_id is not None:
            return account.pk in self.teams
        return self.everything or self.open_only

    def team_role(self, account) -> str | None:
        """A customer's role on the account's team (``ADMIN``/``MEMBER``), ``None`` when not on it."""
        return self.teams.get(account.pk) if self.member_id is not None else None

    @cached_property
    def teams(self) -> dict[int, str]:
        return dict(Membership.objects.filter(user_id=self.member_id).values_list("account_id", "role"))


# Inside ``reach_once()``: the Reach already worked out for each person (by primary key), else ``None``.
_KNOWN: ContextVar[dict | None] = ContextVar("known_reach", default=None)


@contextmanager
def reach_once() -> Iterator[None]:
    """One unit of work that asks ``can()`` about the same person several times (an inbound email: may the
    sender write to the case, act as the portal user, have the event recorded) works out each person's
    reach, and reads their team, once. Only for work that changes nobody's team or role meanwhile."""
    token = _KNOWN.set({})
    try:
        yield
    finally:
        _KNOWN.reset(token)


def reach(user) -> Reach:
    """The tenant rule, written once."""
    known = _KNOWN.get()
    if known is None or user.pk is None:
        return _reach(user)
    if user.pk not in known:
        known[user.pk] = _reach(user)
    return known[user.pk]


def _reach(user) -> Reach:
    if not (user.is_authenticated and user.is_active):
        return Reach()
    if not user.is_staff:
        return Reach(member_id=user.pk, open_only=True)
    if user.is_superuser:
        return Reach(everything=True)
    if user.staff_role == StaffRole.TAM:
        return Reach(tam_id=user.pk)
    if user.staff_role == StaffRole.AGENT:
        return Reach(open_only=True)
    return Reach()


def can(user, action: str, account) -> bool:
    """May ``user`` take ``action`` on ``account``? An unknown action is a programming error (``KeyError``)."""
    rule = actions()[action]
    person = reach(user)
    if not person.admits(account):
        return False
    if user.is_staff:
        return rule.staff == ANY_STAFF or (rule.staff is not None and user.has_perm(rule.staff))
    return person.team_role(account) in rule.customers


def require(user, action: str, account) -> None:
    """``can()`` or a 404: same tenant but not allowed looks exactly like another tenant's or a missing page."""
    if not can(user, action, account):
        raise Http404


def can_edit_calendar(user, calendar) -> bool:
    """MISSION: TAM-2 — staff keep their own business hours up to date; a superuser keeps everyone's (and the
    accounts' support hours). Calendars belong to people, not to an account, so this is not a ``can()`` action."""
    return user.is_active and (user.is_superuser or (user.is_staff and calendar.pk == user.calendar_id))


# --- the grants of every app -----------------------------------------------------------------------------


@cache
def _all_grants() -> tuple[Grants, ...]:
    """``GRANTS`` of every installed app that has an ``access`` module (this one included)."""
    found = []
    for config in apps.get_app_configs():
        name = f"{config.name}.access"
        if find_spec(name) is not None:
            grants = getattr(import_module(name), "GRANTS", None)
            if isinstance(grants, Grants):
                found.append(grants)
    return tuple(found)


@cache
def actions() -> Mapping[str, Rule]:
    """Every app's actions, merged once (asked on every ``can()``)."""
    merged: dict[str, Rule] = {}
    for grants in _all_grants():
        clash = merged.keys() & grants.actions.keys()
        assert not clash, f"actions declared twice: {sorted(clash)}"
        merged.update(grants.actions)
    return MappingProxyType(merged)


def role_permissions(role: str) -> frozenset[str]:
    """The Django permissions a staff role holds, over every app."""
    return frozenset().union(*(g.roles.get(role, frozenset()) for g in _all_grants()))


_VIEW = frozenset(
    {
        "accounts.view_account",
        "accounts.view_membership",
        "accounts.view_contact",
        "accounts.view_businesscalendar",
        "accounts.view_openingwindow",
        "accounts.view_calendarexception",
        "accounts.view_auditevent",
        "accounts.view_outboundemail",
        "accounts.view_apitoken",
    }
)

GRANTS = Grants(
    actions={
        # Reading the account's pages; every other app's reading follows from ``visible_to``.
        "account.view": Rule(customers=TEAM, staff=ANY_STAFF),
        # MISSION: TAM-1 — the account admin runs the team, and so does the account's TAM.
        "team.manage": Rule(customers=frozenset({ADMIN}), staff="accounts.add_membership"),
        # API tokens for the customer's pipelines (warm-up actuals, availability).
        "api_tokens.manage": Rule(customers=frozenset({ADMIN}), staff="accounts.change_apitoken"),
        # Issue 14 (ASVS 3.3): how long the team's sign-ins last is the customer's own choice.
        "sessions.manage": Rule(customers=frozenset({ADMIN})),
        # Issue 18: the account's data, whole, for the customer's admin (GDPR Art. 20 portability).
        "data.export": Rule(customers=frozenset({ADMIN})),
        # Issue 18: erasing a person of the customer (GDPR Art. 17) is the TAM's, on a request they verified.
        "person.erase": Rule(staff="accounts.delete_contact"),
    },
    roles={
        # MISSION: TAM-1, TAM-2 — a TAM runs their accounts and keeps business hours up to date.
        StaffRole.TAM: _VIEW
        | {
            "accounts.change_account",
            "accounts.add_membership",
            "accounts.change_membership",
            "accounts.delete_membership",
            "accounts.add_contact",
            "accounts.change_contact",
            "accounts.delete_contact",
            "accounts.change_businesscalendar",
            "accounts.add_openingwindow",
            "accounts.change_openingwindow",
            "accounts.delete_openingwindow",
            "accounts.add_calendarexception",
            "accounts.change_calendarexception",
            "accounts.delete_calendarexception",
            "accounts.change_apitoken",
        },
        StaffRole.AGENT: _VIEW | {"accounts.add_contact", "accounts.change_contact"},
    },
)
