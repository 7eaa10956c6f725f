"""The 24/7 rota (MISSION: CR-1) cannot be emptied silently: every shift added, changed or removed, in the
console or the admin, goes through ``oncall_shift_save``/``oncall_shift_remove`` and leaves one audit row;
staff without the rota permissions cannot change it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from accounts.models import AuditEvent
from cases import services
from cases.models import OnCallShift
from tests.accounts.factories import StaffFactory
from tests.cases.factories import OnCallShiftFactory

K = AuditEvent.Kind
ADMIN = "/admin/cases/oncallshift/"


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "details__agent"))


def test_adding_a_shift_in_the_console_is_audited(client, world, frozen):
    frozen("2027-05-11 07:30")
    client.force_login(world.tina)
    form = {"agent": world.sam.pk, "starts_at": "2027-05-11T08:30", "ends_at": "2027-05-11T16:30"}
    assert client.post("/console/oncall/", form).status_code == 302
    assert trail() == [(K.ONCALL_SHIFT_ADDED, "tina@tam.test", "sam@support.test")]
    event = AuditEvent.objects.get()
    assert (event.account, event.target_id) == (None, str(OnCallShift.objects.get().pk))


def test_emptying_the_rota_in_the_console_leaves_a_row_per_shift(client, world):
    shifts = [OnCallShiftFactory(agent=world.sam), OnCallShiftFactory(agent=world.sam)]
    client.force_login(world.tina)
    for shift in shifts:
        assert client.post(f"/console/oncall/{shift.pk}/remove/").status_code == 302
    assert not OnCallShift.objects.exists()
    assert trail() == [(K.ONCALL_SHIFT_REMOVED, "tina@tam.test", "sam@support.test")] * 2


def test_emptying_the_rota_in_the_admin_goes_through_the_service(client, world):
    """The changelist's bulk delete deletes shift by shift through ``oncall_shift_remove``."""
    shifts = [OnCallShiftFactory(agent=world.sam), OnCallShiftFactory(agent=world.sam)]
    client.force_login(world.root)
    response = client.post(
        ADMIN, {"action": "delete_selected", "_selected_action": [s.pk for s in shifts], "post": "yes"}
    )
    assert response.status_code == 302 and not OnCallShift.objects.exists()
    assert trail() == [(K.ONCALL_SHIFT_REMOVED, "root@portal.test", "sam@support.test")] * 2


def test_changing_a_shift_in_the_admin_is_audited_with_the_fields(client, world):
    shift = OnCallShiftFactory(agent=world.sam)
    client.force_login(world.root)
    data = {
        "agent": world.sam.pk,
        "starts_at_0": shift.starts_at.strftime("%Y-%m-%d"),
        "starts_at_1": shift.starts_at.strftime("%H:%M:%S"),
        "ends_at_0": shift.ends_at.strftime("%Y-%m-%d"),
        "ends_at_1": shift.ends_at.strftime("%H:%M:%S"),
        "handover_note": "Watch the queue.",
    }
    response = client.post(f"{ADMIN}{shift.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get()
    assert (event.kind, event.actor) == (K.ONCALL_SHIFT_CHANGED, world.root)
    assert "handover_note" in event.details["changed"]


def test_staff_without_the_rota_permissions_cannot_change_it(client, world):
    """A member of staff with no role (no permissions) reads the rota but gets a 404 for every change."""
    shift = OnCallShiftFactory(agent=world.sam)
    nobody = StaffFactory(staff_role="")  # with the second factor staff must have
    client.force_login(nobody)
    page = client.get("/console/oncall/")
    assert page.status_code == 200 and "Add a shift" not in page.content.decode()
    assert client.post(f"/console/oncall/{shift.pk}/remove/").status_code == 404
    assert client.post("/console/oncall/", {"agent": world.sam.pk}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.oncall_shift_remove(shift=shift, actor=nobody)
    assert OnCallShift.objects.count() == 1 and not AuditEvent.objects.exists()


def test_the_audit_row_rolls_back_with_the_change(world):
    shift = OnCallShiftFactory(agent=world.sam)
    pk = shift.pk
    with pytest.raises(RuntimeError), transaction.atomic():
        services.oncall_shift_remove(shift=shift, actor=world.tina)
        raise RuntimeError("the request failed after the service")
    assert OnCallShift.objects.filter(pk=pk).exists() and not AuditEvent.objects.exists()
