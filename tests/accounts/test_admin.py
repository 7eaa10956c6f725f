"""The Django admin as staff use it: a TAM sees and edits only their own accounts, an agent only looks,
a superuser sees everything. Another account's object answers exactly like a missing one."""

import re

import pytest

from accounts.models import Account, AuditEvent, CalendarException, Membership
from tests.accounts.factories import (
    AccountFactory,
    BusinessCalendarFactory,
    ContactFactory,
    MembershipFactory,
    TamFactory,
)
from tests.helpers import form_data, text

ADMIN = "/admin/accounts"


def change_url(model: str, pk) -> str:
    return f"{ADMIN}/{model}/{pk}/change/"


def inline_prefix(response, model) -> str:
    (formset,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.model is model]
    return formset.prefix


def admin_messages(response) -> list[str]:
    """The messages shown on a page."""
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def contacts(world):
    return (
        ContactFactory(account=world.acme, name="Carla Acme-Contact"),
        ContactFactory(account=world.globex, name="Gustav Globex-Contact"),
    )


# --- a TAM sees their own accounts only ---------------------------------------------------------


def test_tam_account_list_shows_only_their_accounts(client, world):
    # MISSION: TAM-1 — a TAM runs the accounts assigned to them
    client.force_login(world.tina)

    response = client.get(f"{ADMIN}/account/")

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [world.acme]
    assert "Globex" not in text(response)


def test_another_accounts_change_page_answers_like_a_missing_one(client, world):
    client.force_login(world.tina)
    missing_pk = Account.objects.order_by("-pk").first().pk + 1000

    theirs = client.get(change_url("account", world.globex.pk), follow=True)
    missing = client.get(change_url("account", missing_pk), follow=True)

    assert theirs.redirect_chain == missing.redirect_chain == [("/admin/", 302)]
    assert admin_messages(theirs) == [f"account with ID “{world.globex.pk}” doesn’t exist. Perhaps it was deleted?"]
    assert admin_messages(missing) == [f"account with ID “{missing_pk}” doesn’t exist. Perhaps it was deleted?"]
    assert "Globex" not in text(theirs)


@pytest.mark.parametrize("model", ["membership", "contact"])
def test_tam_membership_and_contact_lists_show_only_their_accounts_rows(client, world, contacts, model):
    client.force_login(world.tina)

    response = client.get(f"{ADMIN}/{model}/")

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows and {row.account for row in rows} == {world.acme}
    assert "Bob Harris" not in text(response) and "Gustav Globex-Contact" not in text(response)


@pytest.mark.parametrize("model", ["membership", "contact"])
def test_tam_list_filters_do_not_name_other_accounts(client, world, contacts, model):
    """The "By account" filter beside the list offers the TAM's accounts, not every customer's name."""
    initech = AccountFactory(name="Initech", primary_tam=world.tina)  # a second account, so the filter shows
    MembershipFactory(account=initech)
    ContactFactory(account=initech)
    client.force_login(world.tina)

    response = client.get(f"{ADMIN}/{model}/")

    assert ">Acme</a>" in text(response) and ">Initech</a>" in text(response)
    assert "Globex" not in text(response), f"another account's name is in the TAM's {model} list filter"


@pytest.mark.parametrize("model", ["membership", "contact"])
def test_another_accounts_rows_answer_like_missing_ones(client, world, contacts, model):
    client.force_login(world.tina)
    theirs = Membership.objects.get(user=world.bob) if model == "membership" else contacts[1]

    response = client.get(change_url(model, theirs.pk))

    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_team_member_choices_on_the_account_page_leave_out_other_accounts_customers(client, world):
    client.force_login(world.tina)

    response = client.get(change_url("account", world.acme.pk))

    prefix = inline_prefix(response, Membership)
    (formset,) = [i.formset for i in response.context["inline_admin_formsets"] if i.formset.prefix == prefix]
    choices = set(formset.empty_form.fields["user"].queryset)
    assert {world.alice, world.arthur} <= choices
    assert world.bob not in choices
    assert not {world.tina, world.tom, world.tess, world.sam, world.root} & choices  # staff never join a team
    assert "Bob Harris" not in text(response) and "bob@globex.test" not in text(response)


def test_audit_events_are_read_only_and_scoped(client, world):
    AuditEvent.objects.create(account=world.acme, actor=world.alice, kind=AuditEvent.Kind.MEMBER_ADDED)
    theirs = AuditEvent.objects.create(account=world.globex, actor=world.bob, kind=AuditEvent.Kind.MEMBER_ADDED)
    ours = AuditEvent.objects.get(account=world.acme)
    client.force_login(world.tina)

    listing = client.get(f"{ADMIN}/auditevent/")
    assert list(listing.context["cl"].result_list) == [ours]
    assert f"{ADMIN}/auditevent/add/" not in text(listing)
    assert client.get(f"{ADMIN}/auditevent/add/").status_code == 403
    page = client.get(change_url("auditevent", ours.pk))
    assert page.status_code == 200 and 'name="_save"' not in text(page)
    assert client.post(change_url("auditevent", ours.pk), {"kind": "account_changed"}).status_code == 403
    assert client.post(f"{ADMIN}/auditevent/{ours.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get(change_url("auditevent", theirs.pk))["Location"] == "/admin/"
    ours.refresh_from_db()
    assert ours.kind == AuditEvent.Kind.MEMBER_ADDED


def test_tam_cannot_open_the_people_list(client, world):
    """The user admin lists every customer of every account: not for a TAM."""
    client.force_login(world.tina)

    assert client.get(f"{ADMIN}/user/").status_code == 403
    assert client.get(change_url("user", world.bob.pk)).status_code == 403


# --- a TAM changes their account ----------------------------------------------------------------


def test_tam_changes_the_backup_tam_and_it_is_audited(client, world):
    # MISSION: TAM-1 — a backup TAM for when the TAM is away
    tara = TamFactory(full_name="Tara Quinn")
    client.force_login(world.tina)
    page = client.get(change_url("account", world.acme.pk))

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), "backup_tam": tara.pk})

    assert response.status_code == 302 and response["Location"] == f"{ADMIN}/account/"
    acme = Account.objects.get(pk=world.acme.pk)
    assert (acme.primary_tam, acme.backup_tam) == (world.tina, tara)
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TAM_ASSIGNED)
    assert (event.account, event.actor) == (acme, world.tina)
    assert event.details["after"] == {"primary_tam": world.tina.pk, "backup_tam": tara.pk}
    assert Membership.objects.filter(account=acme).count() == 2  # the inline rows went back unchanged


def test_tam_cannot_move_the_account_to_another_tam(client, world):
    client.force_login(world.tina)
    page = client.get(change_url("account", world.acme.pk))
    assert "primary_tam" not in page.context["adminform"].form.fields  # shown read-only

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), "primary_tam": world.tess.pk})

    assert response.status_code == 302
    assert Account.objects.get(pk=world.acme.pk).primary_tam == world.tina
    assert not AuditEvent.objects.filter(kind=AuditEvent.Kind.TAM_ASSIGNED).exists()


def test_tam_choosing_themselves_as_backup_is_told_why_it_is_refused(client, world):
    """The TAM field is read-only for a TAM, so the form cannot see the clash; the page must still
    answer with the rule instead of a server error."""
    client.force_login(world.tina)
    page = client.get(change_url("account", world.acme.pk))

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), "backup_tam": world.tina.pk})

    assert response.status_code == 200
    assert "The backup TAM must be someone other than the TAM." in text(response)
    assert Account.objects.get(pk=world.acme.pk).backup_tam == world.tom


def test_superuser_cannot_make_one_person_tam_and_backup(client, world):
    client.force_login(world.root)
    page = client.get(change_url("account", world.acme.pk))

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), "primary_tam": world.tom.pk})

    assert response.status_code == 200
    assert "The backup TAM must be someone other than the TAM." in text(response)
    assert Account.objects.get(pk=world.acme.pk).primary_tam == world.tina


def test_superuser_moves_an_account_to_another_tam(client, world):
    client.force_login(world.root)
    page = client.get(change_url("account", world.globex.pk))

    response = client.post(change_url("account", world.globex.pk), {**form_data(page), "primary_tam": world.tina.pk})

    assert response.status_code == 302
    assert Account.objects.get(pk=world.globex.pk).primary_tam == world.tina
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.TAM_ASSIGNED)
    assert (event.account, event.actor) == (world.globex, world.root)


def _membership_row(page, membership) -> str:
    """The inline row prefix (e.g. ``memberships-0``) of one membership on the account change page."""
    prefix = inline_prefix(page, Membership)
    (form,) = [f for f in page.context["inline_admin_formsets"][0].formset.forms if f.instance.pk == membership.pk]
    assert form.prefix.startswith(prefix)
    return form.prefix


def test_membership_changes_in_the_admin_keep_an_account_admin(client, world):
    """The admin is another door to the same rule as the team page: every account keeps an admin."""
    alices = Membership.objects.get(account=world.acme, user=world.alice)
    client.force_login(world.tina)
    page = client.get(change_url("account", world.acme.pk))
    row = _membership_row(page, alices)

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), f"{row}-role": "member"})

    assert Membership.objects.get(pk=alices.pk).role == Membership.Role.ADMIN
    assert response.status_code == 200
    assert "Every account keeps at least one account admin." in text(response)


def test_membership_changes_in_the_admin_are_audited(client, world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)
    client.force_login(world.tina)
    page = client.get(change_url("account", world.acme.pk))
    row = _membership_row(page, arthurs)

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), f"{row}-role": "admin"})

    assert response.status_code == 302
    assert Membership.objects.get(pk=arthurs.pk).role == Membership.Role.ADMIN
    events = list(AuditEvent.objects.values_list("kind", "account", "actor"))
    assert events == [(AuditEvent.Kind.MEMBER_ROLE_CHANGED, world.acme.pk, world.tina.pk)], "no audit of the change"


def test_the_membership_list_is_read_only(client, world):
    """Team changes happen on the account page or the portal's team page, where the services run."""
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)
    client.force_login(world.tina)
    page = client.get(change_url("membership", arthurs.pk))
    assert page.status_code == 200
    response = client.post(
        change_url("membership", arthurs.pk), {"role": "admin", "user": world.arthur.pk, "account": world.acme.pk}
    )
    assert response.status_code == 403
    assert Membership.objects.get(pk=arthurs.pk).role == Membership.Role.MEMBER


def test_changing_the_severity1_line_in_the_admin_is_audited(client, world):
    # MISSION: CR-1 — the number customers call in an outage; who changed it must be on record
    client.force_login(world.tina)
    page = client.get(change_url("account", world.acme.pk))

    response = client.post(change_url("account", world.acme.pk), {**form_data(page), "severity1_phone": "+48 1"})

    assert response.status_code == 302
    assert Account.objects.get(pk=world.acme.pk).severity1_phone == "+48 1"
    events = list(AuditEvent.objects.values_list("kind", "account", "actor"))
    assert events == [(AuditEvent.Kind.ACCOUNT_CHANGED, world.acme.pk, world.tina.pk)], "no audit of the change"


# --- business hours -----------------------------------------------------------------------------


def test_tam_adds_an_exception_to_their_own_calendar(client, world):
    # MISSION: TAM-2 — the provider extends or shortens business hours from time to time
    calendar = world.tina.calendar
    client.force_login(world.tina)
    page = client.get(change_url("businesscalendar", calendar.pk))
    assert page.status_code == 200
    data = form_data(page)
    prefix = inline_prefix(page, CalendarException)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-first": "2026-12-24",
            f"{prefix}-0-last": "2026-12-24",
            f"{prefix}-0-opens": "09:00",
            f"{prefix}-0-closes": "13:00",
            f"{prefix}-0-note": "Christmas Eve",
        }
    )

    response = client.post(change_url("businesscalendar", calendar.pk), data)

    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    exception = CalendarException.objects.get(calendar=calendar)
    assert (str(exception), exception.note) == ("2026-12-24: 09:00–13:00", "Christmas Eve")
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.CALENDAR_CHANGED)
    assert event.actor == world.tina
    assert event.details["calendar"] == calendar.name
    assert calendar.windows.count() == 5  # the weekly hours went back unchanged


def test_tam_cannot_change_another_tams_calendar(client, world):
    theirs = world.tess.calendar
    client.force_login(world.tina)

    page = client.get(change_url("businesscalendar", theirs.pk))
    assert 'name="_save"' not in text(page)  # at most a read-only view

    response = client.post(
        change_url("businesscalendar", theirs.pk), {"name": "Hijacked", "timezone": "UTC", "always_open": "on"}
    )

    assert response.status_code == 403
    theirs.refresh_from_db()
    assert theirs.name != "Hijacked" and not theirs.always_open
    assert not AuditEvent.objects.exists()


# --- an agent looks, a superuser sees everything ------------------------------------------------


def test_agent_sees_accounts_but_cannot_change_them(client, world):
    client.force_login(world.sam)

    listing = client.get(f"{ADMIN}/account/")
    assert set(listing.context["cl"].result_list) == {world.acme, world.globex}
    page = client.get(change_url("account", world.acme.pk))
    assert page.status_code == 200 and 'name="_save"' not in text(page)

    response = client.post(change_url("account", world.acme.pk), {"name": "Renamed", "backup_tam": ""})

    assert response.status_code == 403
    acme = Account.objects.get(pk=world.acme.pk)
    assert (acme.name, acme.backup_tam) == ("Acme", world.tom)


@pytest.mark.parametrize("model", ["account", "membership", "contact", "auditevent"])
def test_superuser_sees_every_accounts_rows(client, world, contacts, model):
    AuditEvent.objects.create(account=world.acme, kind=AuditEvent.Kind.ACCOUNT_CHANGED)
    AuditEvent.objects.create(account=world.globex, kind=AuditEvent.Kind.ACCOUNT_CHANGED)
    client.force_login(world.root)

    response = client.get(f"{ADMIN}/{model}/")

    rows = list(response.context["cl"].result_list)
    accounts = set(rows) if model == "account" else {row.account for row in rows}
    assert accounts == {world.acme, world.globex}


def test_account_list_query_count_is_bounded(client, world, django_assert_max_num_queries):
    for _ in range(30):
        account = AccountFactory(backup_tam=TamFactory(), support_calendar=BusinessCalendarFactory())
        MembershipFactory(account=account)
    client.force_login(world.root)
    client.get(f"{ADMIN}/account/")  # warm-up: per-process caches

    with django_assert_max_num_queries(8):
        response = client.get(f"{ADMIN}/account/")

    assert len(response.context["cl"].result_list) == 32
    assert (
        len(re.findall(r'<th class="field-name"><a href="/admin/accounts/account/\d+/change/">', text(response))) == 32
    )
