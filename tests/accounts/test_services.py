"""accounts/services.py called directly, the accounts models' database constraints, and
``BusinessCalendar.schedule`` built from database rows."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from accounts import services
from accounts.models import Account, AuditEvent, BusinessCalendar, CalendarException, Membership, OpeningWindow, User
from tests.accounts.factories import (
    BusinessCalendarFactory,
    CalendarExceptionFactory,
    TamFactory,
)
from tests.helpers import WARSAW

pytestmark = pytest.mark.usefixtures("english")  # tests/conftest.py


def committed(callbacks) -> None:
    """Run what the transaction left for after its commit, as the commit would."""
    for callback in callbacks:
        callback()


def audit_kinds() -> list[str]:
    return list(AuditEvent.objects.order_by("id").values_list("kind", flat=True))


# --- account_assign_tams ------------------------------------------------------------------------


def test_assigning_tams_saves_them_and_audits_before_and_after(world):
    # MISSION: TAM-1 — a TAM (and a backup) is assigned to the account
    tara = TamFactory(full_name="Tara Quinn")

    services.account_assign_tams(account=world.acme, actor=world.root, primary_tam=world.tina, backup_tam=tara)

    acme = Account.objects.get(pk=world.acme.pk)
    assert (acme.primary_tam, acme.backup_tam) == (world.tina, tara)
    event = AuditEvent.objects.get()
    assert (event.kind, event.account, event.actor) == (AuditEvent.Kind.TAM_ASSIGNED, acme, world.root)
    assert event.details == {
        "before": {"primary_tam": world.tina.pk, "backup_tam": world.tom.pk},
        "after": {"primary_tam": world.tina.pk, "backup_tam": tara.pk},
    }


def test_assigning_the_same_tams_again_writes_no_audit_event(world):
    services.account_assign_tams(account=world.acme, actor=world.root, primary_tam=world.tina, backup_tam=world.tom)

    assert not AuditEvent.objects.exists()


def test_removing_the_backup_tam_is_a_change(world):
    services.account_assign_tams(account=world.acme, actor=world.tina, primary_tam=world.tina, backup_tam=None)

    assert Account.objects.get(pk=world.acme.pk).backup_tam is None
    assert audit_kinds() == [AuditEvent.Kind.TAM_ASSIGNED]


@pytest.mark.parametrize("slot", ["primary_tam", "backup_tam"])
@pytest.mark.parametrize("who", ["sam", "alice", "root"])
def test_only_a_tam_can_be_assigned(world, slot, who):
    tams = {"primary_tam": world.tina, "backup_tam": world.tom, slot: getattr(world, who)}

    with pytest.raises(ValidationError, match="is not a Technical Account Manager"):
        services.account_assign_tams(account=world.acme, actor=world.root, **tams)

    acme = Account.objects.get(pk=world.acme.pk)
    assert (acme.primary_tam, acme.backup_tam) == (world.tina, world.tom)
    assert not AuditEvent.objects.exists()


def test_the_backup_tam_must_be_someone_else(world):
    with pytest.raises(ValidationError, match="backup TAM must be someone other than the TAM"):
        services.account_assign_tams(account=world.acme, actor=world.root, primary_tam=world.tom, backup_tam=world.tom)

    acme = Account.objects.get(pk=world.acme.pk)
    assert (acme.primary_tam, acme.backup_tam) == (world.tina, world.tom)
    assert not AuditEvent.objects.exists()


# --- membership_add -----------------------------------------------------------------------------


def test_adding_a_new_person_creates_a_user_who_must_choose_a_password(
    world, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        membership = services.membership_add(
            account=world.globex, actor=world.bob, email="  Nora@Globex.TEST ", full_name=" Nora Ek ", role="admin"
        )

    user = User.objects.get(email="nora@globex.test")
    assert membership.user == user and membership.account == world.globex and membership.role == "admin"
    assert user.full_name == "Nora Ek"
    assert not user.has_usable_password()
    assert not user.is_staff and user.staff_role == ""
    assert user.timezone == "America/New_York"  # the account's time zone until she sets her own
    event = AuditEvent.objects.get()
    assert (event.kind, event.account, event.actor) == (AuditEvent.Kind.MEMBER_ADDED, world.globex, world.bob)
    assert event.details == {"email": "nora@globex.test", "role": "admin", "invited": True}
    assert mailoutbox == []  # the invitation goes out only once the transaction commits
    committed(callbacks)
    (mail,) = mailoutbox
    assert mail.to == ["nora@globex.test"]
    assert "/password/reset/" in mail.body  # a link to choose a password


def test_adding_an_existing_customer_keeps_their_user_and_password(
    world, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        membership = services.membership_add(
            account=world.globex, actor=world.tess, email="ALICE@acme.test", full_name="Someone Else", role="member"
        )

    assert membership.user == world.alice
    alice = User.objects.get(pk=world.alice.pk)
    assert alice.full_name == "Alice Andrzejewska" and alice.check_password(world.password)
    assert AuditEvent.objects.get().details == {"email": "alice@acme.test", "role": "member", "invited": False}
    committed(callbacks)
    (mail,) = mailoutbox
    assert mail.to == ["alice@acme.test"]
    assert "/password/reset/" not in mail.body  # she has a password already


@pytest.mark.parametrize("email", ["tina@tam.test", "SAM@support.test", "root@portal.test"])
@pytest.mark.parametrize(("actor", "answer"), [("tina", "member of staff"), ("alice", "Ask your Technical Account")])
def test_staff_cannot_join_a_customer_team(
    world, email, actor, answer, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    """Staff are told why; a customer gets the answer another company's person gets (issue 14: no disclosure)."""
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError, match=answer):
        services.membership_add(
            account=world.acme, actor=getattr(world, actor), email=email, full_name="X", role="admin"
        )

    assert Membership.objects.filter(account=world.acme).count() == 2
    assert not AuditEvent.objects.exists()
    committed(callbacks)
    assert mailoutbox == []


def test_someone_already_on_the_team_is_not_added_twice(
    world, eager_tasks, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError, match="already on the team"):
        services.membership_add(
            account=world.acme, actor=world.alice, email="Arthur@Acme.test", full_name="Arthur", role="admin"
        )

    assert Membership.objects.get(account=world.acme, user=world.arthur).role == Membership.Role.MEMBER
    assert not AuditEvent.objects.exists()
    committed(callbacks)
    assert mailoutbox == []


# --- membership_set_role / membership_remove ----------------------------------------------------


def test_changing_a_role_is_saved_and_audited(world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)

    services.membership_set_role(membership=arthurs, actor=world.alice, role="admin")

    assert Membership.objects.get(pk=arthurs.pk).role == "admin"
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor) == (AuditEvent.Kind.MEMBER_ROLE_CHANGED, world.alice)
    assert event.details == {"email": "arthur@acme.test", "before": "member", "after": "admin"}


def test_setting_the_same_role_changes_nothing(world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)

    services.membership_set_role(membership=arthurs, actor=world.alice, role="member")

    assert not AuditEvent.objects.exists()


def test_an_unknown_role_is_refused(world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)

    with pytest.raises(ValidationError, match="Unknown role"):
        services.membership_set_role(membership=arthurs, actor=world.alice, role="owner")

    assert Membership.objects.get(pk=arthurs.pk).role == "member"


def test_the_last_admin_cannot_be_demoted(world):
    alices = Membership.objects.get(account=world.acme, user=world.alice)

    with pytest.raises(ValidationError, match="at least one account admin"):
        services.membership_set_role(membership=alices, actor=world.alice, role="member")

    assert Membership.objects.get(pk=alices.pk).role == "admin"
    assert not AuditEvent.objects.exists()


def test_the_last_admin_cannot_be_removed(world):
    alices = Membership.objects.get(account=world.acme, user=world.alice)

    with pytest.raises(ValidationError, match="at least one account admin"):
        services.membership_remove(membership=alices, actor=world.tina)

    assert Membership.objects.filter(pk=alices.pk).exists()
    assert not AuditEvent.objects.exists()


def test_an_admin_can_step_down_once_there_is_another(world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)
    alices = Membership.objects.get(account=world.acme, user=world.alice)
    services.membership_set_role(membership=arthurs, actor=world.alice, role="admin")

    services.membership_remove(membership=alices, actor=world.alice)

    assert list(Membership.objects.filter(account=world.acme).values_list("user__email", "role")) == [
        ("arthur@acme.test", "admin")
    ]
    removed = AuditEvent.objects.get(kind=AuditEvent.Kind.MEMBER_REMOVED)
    assert (removed.account, removed.actor) == (world.acme, world.alice)
    assert removed.details == {"email": "alice@acme.test", "role": "admin"}


def test_a_plain_member_can_always_be_removed(world):
    arthurs = Membership.objects.get(account=world.acme, user=world.arthur)

    services.membership_remove(membership=arthurs, actor=world.alice)

    assert not Membership.objects.filter(pk=arthurs.pk).exists()
    assert User.objects.filter(pk=world.arthur.pk).exists()  # the person stays; only the membership goes
    assert audit_kinds() == [AuditEvent.Kind.MEMBER_REMOVED]


# --- user_update_preferences --------------------------------------------------------------------


def test_preferences_are_saved(world):
    services.user_update_preferences(
        user=world.alice, language="pl", timezone="Asia/Tokyo", job_title="CTO", phone="+48 600 000 000"
    )

    alice = User.objects.get(pk=world.alice.pk)
    assert (alice.language, alice.timezone, alice.job_title, alice.phone) == (
        "pl",
        "Asia/Tokyo",
        "CTO",
        "+48 600 000 000",
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
        ({"language": "xx"}, "language"),
        ({"full_name": ""}, "full_name"),
    ],
)
def test_invalid_preferences_are_refused(world, changes, field):
    with pytest.raises(ValidationError) as refused:
        services.user_update_preferences(user=world.alice, **changes)

    assert field in refused.value.message_dict
    alice = User.objects.get(pk=world.alice.pk)
    assert (alice.timezone, alice.language, alice.full_name) == ("Europe/Warsaw", "", "Alice Andrzejewska")


@pytest.mark.parametrize("field", ["is_staff", "email", "password", "staff_role"])
def test_only_preferences_can_be_changed_this_way(world, field):
    with pytest.raises(ValueError, match=f"not a preference: {field}"):
        services.user_update_preferences(user=world.alice, **{field: "x"})

    alice = User.objects.get(pk=world.alice.pk)
    assert not alice.is_staff and alice.email == "alice@acme.test" and alice.check_password(world.password)


# --- database constraints -----------------------------------------------------------------------


def test_database_refuses_the_same_person_as_tam_and_backup(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=world.acme.pk).update(backup_tam=world.tina)

    assert Account.objects.get(pk=world.acme.pk).backup_tam == world.tom


def test_database_refuses_an_opening_window_that_closes_before_it_opens(db):
    calendar = BusinessCalendarFactory(weekdays=False)
    for closes in (time(9), time(8)):
        with pytest.raises(IntegrityError), transaction.atomic():
            OpeningWindow.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=closes)

    OpeningWindow.objects.create(calendar=calendar, weekday=0, opens=time(9), closes=None)  # until midnight
    assert calendar.windows.count() == 1


def test_database_refuses_an_exception_that_ends_before_it_starts(db):
    calendar = BusinessCalendarFactory(weekdays=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarException.objects.create(calendar=calendar, first=date(2026, 12, 24), last=date(2026, 12, 23))

    assert not calendar.exceptions.exists()


def test_database_refuses_open_exception_hours_without_an_opening_time(db):
    calendar = BusinessCalendarFactory(weekdays=False)
    with pytest.raises(IntegrityError), transaction.atomic():
        CalendarException.objects.create(calendar=calendar, first=date(2026, 12, 24), last=date(2026, 12, 24))


# --- BusinessCalendar.schedule from database rows -----------------------------------------------


def fresh(calendar) -> BusinessCalendar:
    """The calendar as a page loads it: from the database, windows and exceptions prefetched."""
    return BusinessCalendar.objects.prefetch_related("windows", "exceptions").get(pk=calendar.pk)


def test_calendar_with_polish_holidays_is_closed_on_independence_day(db):
    # MISSION: TAM-1 — designated business hours
    calendar = fresh(BusinessCalendarFactory(holiday_country="PL"))  # Mon–Fri 09:00–17:00 Warsaw

    assert not calendar.is_open(datetime(2026, 11, 11, 10, tzinfo=WARSAW))  # a Wednesday, a public holiday
    assert calendar.is_open(datetime(2026, 11, 12, 10, tzinfo=WARSAW))
    assert not calendar.is_open(datetime(2026, 11, 12, 17, tzinfo=WARSAW))
    assert calendar.schedule.next_open(datetime(2026, 11, 11, 10, tzinfo=WARSAW)) == datetime(
        2026, 11, 12, 9, tzinfo=WARSAW
    )


def test_an_exception_row_overrides_the_weekly_hours_and_the_holiday(db):
    # MISSION: TAM-2 — business hours extended or shortened by the provider
    calendar = BusinessCalendarFactory(holiday_country="PL")
    CalendarExceptionFactory(
        calendar=calendar,
        first=date(2026, 11, 11),
        last=date(2026, 11, 11),
        closed=False,
        opens=time(10),
        closes=time(14),
    )
    CalendarExceptionFactory(calendar=calendar, first=date(2026, 11, 12), last=date(2026, 11, 13), closed=True)
    calendar = fresh(calendar)

    assert calendar.is_open(datetime(2026, 11, 11, 11, tzinfo=WARSAW))
    assert not calendar.is_open(datetime(2026, 11, 11, 15, tzinfo=WARSAW))
    assert not calendar.is_open(datetime(2026, 11, 12, 10, tzinfo=WARSAW))
    assert not calendar.is_open(datetime(2026, 11, 13, 10, tzinfo=WARSAW))
    assert calendar.is_open(datetime(2026, 11, 16, 10, tzinfo=WARSAW))  # the Monday after


def test_an_always_open_calendar_is_open_every_second(db):
    # MISSION: CR-1 — 24 hours a day, 7 days a week, 365 days a year
    calendar = BusinessCalendarFactory(always_open=True, weekdays=False, holiday_country="PL")
    CalendarExceptionFactory(calendar=calendar, first=date(2026, 12, 25), last=date(2026, 12, 26), closed=True)
    calendar = fresh(calendar)

    for moment in (
        datetime(2026, 11, 11, 3, tzinfo=WARSAW),  # a holiday, at night
        datetime(2026, 11, 15, 23, 59, 59, tzinfo=WARSAW),  # a Sunday
        datetime(2026, 12, 25, 12, tzinfo=WARSAW),
    ):
        assert calendar.is_open(moment)
    assert calendar.schedule.open_until(datetime(2026, 11, 11, 3, tzinfo=WARSAW)) is None  # never closes


def test_a_calendar_uses_its_own_time_zone(db):
    calendar = fresh(BusinessCalendarFactory(timezone="America/New_York"))
    new_york = ZoneInfo("America/New_York")

    assert calendar.is_open(datetime(2026, 11, 12, 9, tzinfo=new_york))
    assert not calendar.is_open(datetime(2026, 11, 12, 9, tzinfo=WARSAW))  # 03:00 in New York
