"""The availability target changes in the admin only through ``availability.services`` (MISSION: AV-1; STYLE:
every state change audited one way): one audit row per change, rolled back with it."""

from decimal import Decimal

import pytest
from django.db import transaction

from accounts.models import AuditEvent
from availability import services
from availability.models import AvailabilityProfile
from tests.availability.factories import AvailabilityProfileFactory
from tests.helpers import form_data

ADMIN = "/admin/availability/availabilityprofile/"


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "account__slug"))


def test_a_tam_changes_the_target_and_it_is_audited_with_before_and_after(client, world):
    profile = AvailabilityProfileFactory(account=world.acme)
    client.force_login(world.tina)
    url = f"{ADMIN}{profile.pk}/change/"

    response = client.post(url, {**form_data(client.get(url)), "target_pct": "99.9", "sustained_seconds": 120})

    assert response.status_code == 302
    profile.refresh_from_db()
    assert (profile.target_pct, profile.sustained_seconds) == (Decimal("99.9"), 120)
    assert trail() == [(AuditEvent.Kind.AVAILABILITY_TARGET_CHANGED, "tina@tam.test", "acme")]
    details = AuditEvent.objects.get().details
    assert details["before"] == {"target_pct": "99.990", "sustained_seconds": 60}
    assert details["after"] == {"target_pct": "99.900", "sustained_seconds": 120}


def test_adding_and_removing_a_profile_are_audited(client, world):
    client.force_login(world.tina)
    page = client.get(f"{ADMIN}add/")
    response = client.post(f"{ADMIN}add/", {**form_data(page), "account": world.acme.pk, "target_pct": "99.95"})
    assert response.status_code == 302, response.content.decode()[:2000]
    profile = AvailabilityProfile.objects.get()
    client.force_login(world.root)  # a TAM sets targets; removing a profile is a superuser's
    client.post(ADMIN, {"action": "delete_selected", "_selected_action": [profile.pk], "post": "yes"})

    assert not AvailabilityProfile.objects.exists()
    assert trail() == [
        (AuditEvent.Kind.AVAILABILITY_TARGET_CHANGED, "tina@tam.test", "acme"),
        (AuditEvent.Kind.AVAILABILITY_TARGET_CHANGED, "root@portal.test", "acme"),
    ]
    added, removed = (e.details for e in AuditEvent.objects.order_by("id"))
    assert added["added"]["target_pct"] == "99.950" and removed["removed"]["target_pct"] == "99.950"


def test_another_accounts_profile_is_not_found(client, world):
    theirs = AvailabilityProfileFactory(account=world.globex)
    client.force_login(world.tina)
    response = client.post(f"{ADMIN}{theirs.pk}/change/", {"account": world.globex.pk, "target_pct": "90"})
    assert response.status_code == 302  # "doesn't exist", like a missing one
    assert AvailabilityProfile.objects.get(pk=theirs.pk).target_pct == Decimal("99.99")
    assert not AuditEvent.objects.exists()


def test_a_change_and_its_audit_row_roll_back_together(world):
    profile = AvailabilityProfileFactory(account=world.acme)
    with pytest.raises(RuntimeError), transaction.atomic():
        profile.target_pct = Decimal("50")
        services.availability_profile_save(profile=profile, actor=world.tina, changed=["target_pct"])
        assert AuditEvent.objects.count() == 1
        raise RuntimeError
    assert AvailabilityProfile.objects.get().target_pct == Decimal("99.99")
    assert not AuditEvent.objects.exists()
