"""Removing a monitored target in the admin archives it, and the admin says so (MISSION: DLV-2): its
confirmation pages list nothing to be deleted, and the target's statuses and events stay in its history."""

from django.contrib.messages import get_messages

from deliverability.models import ListingEvent, ListingStatus, MonitoredTarget
from tests.deliverability.factories import ListingEventFactory, ListingStatusFactory, MonitoredTargetFactory

TARGETS = "/admin/deliverability/monitoredtarget/"


def listed_target(world, value="192.0.2.7"):
    target = MonitoredTargetFactory(account=world.acme, value=value)
    ListingStatusFactory(target=target)
    ListingEventFactory(target=target)
    return target


def test_the_delete_page_says_the_target_is_archived_with_its_history_kept(client, world):
    # MISSION: DLV-2 — on the old code this page listed the listing status and event "to be deleted" (or,
    # for a TAM, refused: no permission to delete listing events).
    target = listed_target(world)
    client.force_login(world.tina)

    page = client.get(f"{TARGETS}{target.pk}/delete/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Archive “192.0.2.7”? It is no longer monitored; nothing is deleted" in text
    assert "will be deleted" not in text and "permission to delete" not in text
    assert page.context["model_count"] == {}.items() and not page.context["perms_lacking"]
    assert page.context["deleted_objects"] == ["192.0.2.7"]  # nothing related, to archive

    response = client.post(f"{TARGETS}{target.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "“192.0.2.7” is archived: no longer monitored, its history kept."
    ]
    archived = MonitoredTarget.all_objects.get(pk=target.pk)
    assert archived.archived_at is not None and not MonitoredTarget.objects.exists()
    assert ListingStatus.objects.filter(target=archived).count() == 1
    assert ListingEvent.objects.filter(target=archived).count() == 1


def test_the_change_list_archives_instead_of_deleting(client, world):
    first, second = listed_target(world), listed_target(world, value="192.0.2.8")
    client.force_login(world.tina)

    changelist = client.get(TARGETS).content.decode()
    assert "Archive the selected targets (history kept)" in changelist and "delete_selected" not in changelist
    page = client.post(TARGETS, {"action": "archive_selected", "_selected_action": [first.pk, second.pk]})

    text = page.content.decode()
    assert "Archive the selected targets? They are no longer monitored; nothing is deleted" in text
    assert "will be deleted" not in text and "permission to delete" not in text
    assert "192.0.2.7" in text and "192.0.2.8" in text

    response = client.post(
        TARGETS, {"action": "archive_selected", "_selected_action": [first.pk, second.pk], "post": "yes"}
    )

    assert response.status_code == 302
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Archived 2 targets: no longer monitored, their history kept."
    ]
    assert MonitoredTarget.all_objects.archived().count() == 2 and ListingEvent.objects.count() == 2


def test_the_change_form_offers_archiving_not_deleting(client, world):
    target = listed_target(world)
    client.force_login(world.tina)

    text = client.get(f"{TARGETS}{target.pk}/change/").content.decode()

    assert 'class="deletelink">Archive (history kept)</a>' in text


def test_a_polish_tam_reads_the_confirmation_and_the_plural_in_polish(client, world):
    first, second, third = (listed_target(world, value=f"192.0.2.{n}") for n in (7, 8, 9))
    world.tina.language = "pl"
    world.tina.save(update_fields=["language"])
    client.force_login(world.tina)

    page = client.get(f"{TARGETS}{first.pk}/delete/").content.decode()
    assert "Zarchiwizować „192.0.2.7”? Nie będzie już monitorowany; nic nie zostanie usunięte" in page

    pks = [first.pk, second.pk, third.pk]
    response = client.post(TARGETS, {"action": "archive_selected", "_selected_action": pks, "post": "yes"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Zarchiwizowano 3 cele: nie są już monitorowane, ich historia zostaje."
    ]
