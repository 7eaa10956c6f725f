"""What a person sees: the customer dashboard, the staff console, the team and profile pages.

Sign-in, password reset, the language switch and /healthz are in tests/portal/test_auth.py; who may
open which page at all is tests/portal/test_tenant_matrix.py.
"""

import re
from datetime import date, time
from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext

from accounts.models import AuditEvent, Membership, User
from tests.accounts.factories import (
    AccountFactory,
    BusinessCalendarFactory,
    CalendarExceptionFactory,
    ContactFactory,
    MembershipFactory,
    TamFactory,
    UserFactory,
)
from tests.helpers import (
    CONSOLE_MAX_QUERIES,
    DASHBOARD_MAX_QUERIES,
    HTMX,
    count_queries,
    give_tina,
    tam_block,
    text,
    visible_text,
    without_csrf,
)


def table_row(response, name: str) -> str:
    """The console row of the account called ``name``."""
    rows = re.findall(r"<tr>.*?</tr>", text(response), flags=re.S)
    matching = [row for row in rows if f">{name}</a>" in row]
    assert len(matching) == 1, f"expected one row for {name}, found {len(matching)}"
    return matching[0]


# --- the customer dashboard ---------------------------------------------------------------------


def test_dashboard_shows_the_tam_the_severity1_line_and_the_team(client, world):
    # MISSION: TAM-1 (TAM by phone and email), CR-1 (the Severity 1 line), NC-1 (the support address)
    world.acme.severity1_phone = "+48 22 999 11 22"
    world.acme.save(update_fields=["severity1_phone"])
    client.force_login(world.alice)

    response = client.get("/a/acme/")

    assert response.status_code == 200
    tina = tam_block(response, 1)
    assert "Your TAM" in tina
    assert "Tina Nowak" in tina
    assert 'href="tel:+48225550110">+48 22 555 01 10</a>' in tina
    assert 'href="mailto:tina@tam.test"' in tina
    assert "Backup TAM" in tam_block(response, 2) and "Tom Becker" in tam_block(response, 2)
    body = text(response)
    assert 'href="tel:+48229991122">+48 22 999 11 22</a>' in body
    assert "24 hours a day, 7 days a week, 365 days a year" in body
    assert 'href="mailto:support@acme.portal.test"' in body
    assert "Alice Andrzejewska" in body and "Arthur Malinowski" in body
    for other_tenant in ("Globex", "Bob Harris", "bob@globex.test", "Tess Lindqvist", world.globex.support_email):
        assert other_tenant not in body


def test_tam_on_a_24_7_calendar_is_reachable_now(client, world):
    give_tina(world, BusinessCalendarFactory(always_open=True, weekdays=False))
    client.force_login(world.alice)

    tina = tam_block(client.get("/a/acme/"), 1)

    assert "Reachable now" in tina
    assert "Away" not in tina


def test_tam_away_shows_when_next_reachable_in_the_viewers_time_zone(client, world, frozen):
    # MISSION: TAM-1 (reachable during business hours), TAM-2 (hours extended by a dated exception)
    frozen("2027-01-12 10:00")  # a Tuesday in winter: 11:00 in Warsaw, 05:00 in New York
    world.alice.timezone = "America/New_York"
    world.alice.save(update_fields=["timezone"])
    calendar = BusinessCalendarFactory(weekdays=False, timezone="Europe/Warsaw")  # no weekly hours at all
    day = date(2027, 1, 15)  # Friday
    CalendarExceptionFactory(
        calendar=calendar, first=day, last=day, closed=False, opens=time(9), closes=time(17), note="Open day"
    )
    give_tina(world, calendar)
    client.force_login(world.alice)

    response = client.get("/a/acme/")

    tina = tam_block(response, 1)
    assert "Away" in tina
    # 09:00 CET is 03:00 EST, three days ahead for Alice: the `when` filter writes the weekday
    assert "next reachable Fri 03:00 EST" in tina
    assert "Changed hours 15 Jan–15 Jan: 09:00–17:00 (Europe/Warsaw time) (Open day)" in tina  # zone named
    assert "America/New_York" in text(response)  # the page names the zone its times are in


def test_tam_without_a_calendar_has_no_published_hours(client, world):
    give_tina(world, None)
    client.force_login(world.alice)

    tina = tam_block(client.get("/a/acme/"), 1)

    assert "Business hours not published" in tina
    assert "Reachable now" not in tina and "Away" not in tina


def test_panel_refresh_returns_only_the_panel(client, world):
    client.force_login(world.alice)

    response = client.get("/a/acme/panel/tam-card/", headers=HTMX)

    assert response.status_code == 200
    body = text(response).strip()
    assert body.startswith('<section id="tam-card"')
    assert 'hx-get="/a/acme/panel/tam-card/" hx-trigger="every 60s"' in body
    assert "Tina Nowak" in body
    assert "<html" not in body
    assert client.get("/a/acme/panel/no-such-panel/", headers=HTMX).status_code == 404


def test_dashboard_query_count_does_not_grow_with_the_account(client, world, django_assert_max_num_queries):
    client.force_login(world.alice)
    small, _ = count_queries(client, "/a/acme/", django_assert_max_num_queries, DASHBOARD_MAX_QUERIES)

    MembershipFactory.create_batch(30, account=world.acme)
    ContactFactory.create_batch(20, account=world.acme)
    for account in AccountFactory.create_batch(10):
        MembershipFactory(account=account, user=world.alice)
    large, response = count_queries(client, "/a/acme/", django_assert_max_num_queries, DASHBOARD_MAX_QUERIES)

    assert large == small
    assert text(response).count('class="muted">· ') == 32  # every team member is on the page
    assert text(response).count('href="/a/customer-') == 10  # and every other account of Alice's


def test_console_query_count_does_not_grow_with_the_accounts(client, world, django_assert_max_num_queries, frozen):
    frozen("2027-05-11 08:00")  # a Tuesday; every TAM has a day off on Thursday

    def staffed_account():
        account = AccountFactory(backup_tam=TamFactory())
        for tam in (account.primary_tam, account.backup_tam):
            CalendarExceptionFactory(calendar=tam.calendar, first=date(2027, 5, 13))
        return account

    staffed_account()
    client.force_login(world.root)
    small, response = count_queries(client, "/console/", django_assert_max_num_queries, CONSOLE_MAX_QUERIES)
    assert text(response).count("<tr>") == 1 + 3

    for _ in range(57):
        staffed_account()
    large, response = count_queries(client, "/console/", django_assert_max_num_queries, CONSOLE_MAX_QUERIES)

    assert large == small
    assert text(response).count("<tr>") == 1 + 50  # one page
    assert "Page 1 of 2" in text(response)


def test_console_says_whether_each_primary_tam_is_reachable_now(client, world, frozen):
    """Only the primary TAM's hours decide the badge; the backup TAM is named (issue 18: the table reads no
    backup TAM's calendar)."""
    frozen("2027-05-11 08:00")  # a Tuesday, 10:00 in Warsaw
    give_tina(world, BusinessCalendarFactory(always_open=True, weekdays=False))
    CalendarExceptionFactory(calendar=world.tess.calendar, first=date(2027, 5, 11))  # Tess: a day off
    world.acme.backup_tam.calendar = None
    world.acme.backup_tam.save(update_fields=["calendar"])
    client.force_login(world.root)
    page = client.get("/console/")
    acme, globex = visible_text(table_row(page, "Acme")), visible_text(table_row(page, "Globex"))
    assert "Tina Nowak reachable" in acme and "Tom Becker" in acme
    assert "Tess Lindqvist away" in globex


def test_console_served_from_the_panel_cache_reads_the_table_and_the_live_panels_only(
    client, world, django_assert_max_num_queries
):
    """Session, person, the table (count, page, the primary TAMs' hours), the accounts reached (the cache's
    key), then the panels whose text moves with the clock: incidents (1) and who is on duty (3)."""
    client.force_login(world.root)
    count_queries(client, "/console/", django_assert_max_num_queries, 11)


# --- the staff console --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "sees", "does_not_see"),
    [
        ("tina", ["Acme"], ["Globex"]),
        ("tom", ["Acme"], ["Globex"]),
        ("tess", ["Globex"], ["Acme"]),
        ("sam", ["Acme", "Globex"], []),
        ("root", ["Acme", "Globex"], []),
    ],
)
def test_console_lists_the_accounts_this_person_works_on(client, world, role, sees, does_not_see):
    # MISSION: TAM-1 — the TAM runs their accounts; "done": a TAM starts the day in a console of them
    client.force_login(getattr(world, role))

    response = client.get("/console/")

    assert response.status_code == 200
    for name in sees:
        assert f">{name}</a>" in text(response)
    for name in does_not_see:
        assert name not in text(response)


@pytest.mark.parametrize(
    ("role", "account", "badge"),
    [("tina", "Acme", "your account"), ("tom", "Acme", "backup"), ("tess", "Globex", "your account")],
)
def test_console_marks_the_tams_own_accounts(client, world, role, account, badge):
    client.force_login(getattr(world, role))

    row = table_row(client.get("/console/"), account)

    assert f">{badge}</span>" in row


def test_console_shows_no_badge_to_people_who_are_not_the_tam(client, world):
    client.force_login(world.sam)
    row = table_row(client.get("/console/"), "Acme")
    assert "your account" not in row and ">backup</span>" not in row


def test_agents_do_not_see_closed_accounts_and_superusers_do(client, world):
    AccountFactory(name="Initech", status="closed")
    client.force_login(world.sam)
    assert "Initech" not in text(client.get("/console/"))
    client.force_login(world.root)
    assert ">Initech</a>" in text(client.get("/console/"))


def test_console_search_filters_by_name(client, world):
    client.force_login(world.root)

    response = client.get("/console/", {"q": "glob"})

    assert ">Globex</a>" in text(response)
    assert "Acme" not in text(response)
    assert 'value="glob"' in text(response)
    assert "No account matches your search." in text(client.get("/console/", {"q": "zzz"}))


def test_console_htmx_search_returns_only_the_account_table(client, world):
    client.force_login(world.root)

    response = client.get("/console/", {"q": "glob"}, headers=HTMX)

    body = text(response).strip()
    assert body.startswith('<div id="account-table"')
    assert "<html" not in body
    assert ">Globex</a>" in body and "Acme" not in body


# --- the team page ------------------------------------------------------------------------------


def test_account_admin_adds_a_new_person_who_is_invited_to_choose_a_password(
    client, world, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/a/acme/team/", {"email": " Nina@Acme.TEST ", "full_name": "Nina Zielińska", "role": "member"}
        )

    assert response.status_code == 302 and response["Location"] == "/a/acme/team/"
    membership = Membership.objects.select_related("user").get(account=world.acme, user__email="nina@acme.test")
    assert membership.role == Membership.Role.MEMBER
    assert membership.user.full_name == "Nina Zielińska"
    assert not membership.user.has_usable_password()
    event = AuditEvent.objects.get(kind=AuditEvent.Kind.MEMBER_ADDED)
    assert (event.account, event.actor) == (world.acme, world.alice)
    assert event.details == {"email": "nina@acme.test", "role": "member", "invited": True}
    page = text(client.get("/a/acme/team/"))
    assert "Nina Zielińska was added to the team." in page and "nina@acme.test" in page

    (mail,) = mailoutbox
    assert mail.to == ["nina@acme.test"]
    assert mail.subject == "You have been added to Acme on the Email Enterprise portal"
    link = re.search(r"https?://\S+/password/reset/\S+/\S+/", mail.body).group(0)
    client.logout()
    set_password = client.get(urlsplit(link).path)
    assert set_password.status_code == 302 and set_password["Location"].endswith("/set-password/")
    new_password = "nina-chooses-this-2026"
    client.post(set_password["Location"], {"new_password1": new_password, "new_password2": new_password})
    assert User.objects.get(email="nina@acme.test").check_password(new_password)


def test_the_invitation_is_written_in_the_persons_language(
    client, world, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="piotr@acme.test", full_name="Piotr Kowalski", language="pl")
    english = "You have been added to Acme on the Email Enterprise portal"
    with translation.override("pl"):
        polish = gettext("You have been added to %(account)s on the %(portal)s portal") % {
            "account": "Acme",
            "portal": "Email Enterprise",
        }
    assert polish != english, "the Polish catalogue has no translation of the invitation's subject"
    client.force_login(world.alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/a/acme/team/", {"email": "piotr@acme.test", "full_name": "Piotr", "role": "admin"})

    (mail,) = mailoutbox
    assert mail.subject == polish


@pytest.mark.parametrize(
    ("email", "error"),
    [
        ("TINA@tam.test", "Ask your Technical Account Manager to add this person."),
        ("arthur@acme.test", "arthur@acme.test is already on the team."),
    ],
    ids=["staff", "already-on-the-team"],
)
def test_adding_staff_or_a_current_member_is_refused(client, world, mailoutbox, email, error):
    client.force_login(world.alice)
    users_before = User.objects.count()

    response = client.post("/a/acme/team/", {"email": email, "full_name": "Someone", "role": "admin"})

    assert response.status_code == 200
    assert error in text(response)
    assert Membership.objects.filter(account=world.acme).count() == 2
    assert not Membership.objects.filter(user=world.tina).exists()
    assert Membership.objects.get(account=world.acme, user=world.arthur).role == Membership.Role.MEMBER
    assert User.objects.count() == users_before
    assert not AuditEvent.objects.exists()
    assert mailoutbox == []


@pytest.mark.parametrize("htmx", [{}, HTMX], ids=["page", "htmx"])
def test_a_customer_cannot_tell_staff_from_another_companys_people(client, world, mailoutbox, htmx):
    """Issue 14: "Add a team member" answers alike for a TAM, an agent, a superuser and another company's
    customer (once the typed address is set aside), so it tells nobody who is staff or who is whose."""
    client.force_login(world.alice)
    answers = {}
    for email in ["tina@tam.test", "SAM@support.test", "root@portal.test", "bob@globex.test"]:
        response = client.post("/a/acme/team/", {"email": email, "full_name": "Someone", "role": "admin"}, **htmx)
        assert response.status_code == 200
        answers[email] = without_csrf(response).replace(email, "<email>")

    assert len(set(answers.values())) == 1
    assert "Ask your Technical Account Manager to add this person." in answers["bob@globex.test"]
    assert "staff" not in answers["tina@tam.test"].lower()
    assert not Membership.objects.exclude(user__in=[world.alice, world.arthur, world.bob]).exists()
    assert not AuditEvent.objects.exists() and mailoutbox == []


def test_staff_are_told_why_a_member_of_staff_cannot_join(client, world):
    client.force_login(world.tina)
    response = client.post("/a/acme/team/", {"email": "sam@support.test", "full_name": "Sam", "role": "admin"})
    assert "That address belongs to a member of staff and cannot join a customer team." in text(response)
    assert not Membership.objects.filter(user=world.sam).exists()


@pytest.mark.parametrize("actor", ["alice", "tina"])
@pytest.mark.parametrize(("action", "data"), [("role", {"role": "member"}), ("remove", {})])
def test_the_last_account_admin_cannot_be_demoted_or_removed(client, world, actor, action, data):
    alices = Membership.objects.get(account=world.acme, user=world.alice)
    client.force_login(getattr(world, actor))

    response = client.post(f"/a/acme/team/{alices.pk}/{action}/", data, follow=True)

    assert response.redirect_chain == [("/a/acme/team/", 302)]
    assert "Every account keeps at least one account admin." in text(response)
    alices.refresh_from_db()
    assert alices.role == Membership.Role.ADMIN
    assert not AuditEvent.objects.exists()


def test_htmx_role_change_answers_with_the_team_panel(client, world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)
    client.force_login(world.alice)

    response = client.post(f"/a/acme/team/{arthurs.pk}/role/", {"role": "admin"}, headers=HTMX)

    assert response.status_code == 200
    assert "HX-Trigger" not in response  # the panel is the answer; no element listens for "teamChanged"
    body = text(response).strip()
    assert body.startswith('<div id="team-panel">')
    assert "<html" not in body
    assert "Arthur Malinowski is now: Account admin." in body
    arthurs.refresh_from_db()
    assert arthurs.role == Membership.Role.ADMIN


def test_htmx_add_answers_with_the_team_panel_showing_the_new_person(client, world):
    client.force_login(world.alice)

    response = client.post(
        "/a/acme/team/", {"email": "nina@acme.test", "full_name": "Nina Zielińska", "role": "member"}, headers=HTMX
    )

    assert response.status_code == 200
    assert "HX-Trigger" not in response  # the panel is the answer; no element listens for "teamChanged"
    body = text(response).strip()
    assert body.startswith('<div id="team-panel">') and "<html" not in body
    assert "Nina Zielińska was added to the team." in body
    assert 'name="email"' in body and 'value="nina@acme.test"' not in body  # a fresh, empty form


def test_every_team_change_is_audited_with_its_actor(client, world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)
    client.force_login(world.alice)
    client.post("/a/acme/team/", {"email": "nina@acme.test", "full_name": "Nina", "role": "member"})
    client.force_login(world.tina)
    client.post(f"/a/acme/team/{arthurs.pk}/role/", {"role": "admin"})
    client.force_login(world.alice)
    client.post(f"/a/acme/team/{arthurs.pk}/remove/")

    events = list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "account__slug", "details"))

    assert events == [
        ("member_added", "alice@acme.test", "acme", {"email": "nina@acme.test", "role": "member", "invited": True}),
        (
            "member_role_changed",
            "tina@tam.test",
            "acme",
            {"email": "arthur@acme.test", "before": "member", "after": "admin"},
        ),
        ("member_removed", "alice@acme.test", "acme", {"email": "arthur@acme.test", "role": "admin"}),
    ]
    assert not Membership.objects.filter(pk=arthurs.pk).exists()


# --- the profile --------------------------------------------------------------------------------


PROFILE = {"full_name": "Alice Andrzejewska", "job_title": "CTO", "phone": "", "language": "", "timezone": "UTC"}


def test_profile_language_and_time_zone_apply_to_the_next_page(client, world):
    client.force_login(world.alice)

    response = client.post("/profile/", {**PROFILE, "language": "pl", "timezone": "America/New_York"}, follow=True)

    assert response.redirect_chain == [("/profile/", 302)]
    world.alice.refresh_from_db()
    assert (world.alice.language, world.alice.timezone, world.alice.job_title) == ("pl", "America/New_York", "CTO")
    body = text(response)
    assert '<html lang="pl"' in body
    with translation.override("pl"):
        assert gettext("Log out") in body and gettext("Log out") != "Log out"
    assert "America/New_York" in body


def test_profile_refuses_an_unknown_time_zone(client, world):
    client.force_login(world.alice)

    response = client.post("/profile/", {**PROFILE, "timezone": "Mars/Olympus_Mons"})

    assert response.status_code == 200
    assert "Select a valid choice. Mars/Olympus_Mons is not one of the available choices." in text(response)
    world.alice.refresh_from_db()
    assert world.alice.timezone == "Europe/Warsaw"
