"""Blocklist monitoring and DKIM selectors change only through ``deliverability.services``, from the pages
and from the admin alike, each change with one audit row (STYLE: every state change audited one way)."""

from django.db import transaction

from accounts.models import AuditEvent
from deliverability import services
from deliverability.models import MessageStream, MonitoredTarget
from tests.deliverability.factories import MessageStreamFactory, MonitoredTargetFactory

K = AuditEvent.Kind
TARGETS, STREAMS = "/admin/deliverability/monitoredtarget/", "/admin/deliverability/messagestream/"


def trail():
    return list(AuditEvent.objects.order_by("id").values_list("kind", "actor__email", "account__slug"))


def test_dkim_selectors_are_saved_through_the_service_and_audited(client, world):
    target = MonitoredTargetFactory(account=world.acme, domain=True, value="acme.example", dkim_selectors="s1")
    client.force_login(world.alice)
    client.post(f"/a/acme/authentication/domains/{target.pk}/selectors/", {"selectors": "s1 s2"})
    client.post(f"/a/acme/authentication/domains/{target.pk}/selectors/", {"selectors": "bad/sel"})  # refused
    client.post(f"/a/acme/authentication/domains/{target.pk}/selectors/", {"selectors": "s1, s2"})  # no change
    assert trail() == [(K.DKIM_SELECTORS_CHANGED, "alice@acme.test", "acme")]
    event = AuditEvent.objects.get()
    assert (event.details, event.target_label) == ({"before": "s1", "after": "s1 s2"}, "acme.example")


def test_the_admin_adds_changes_and_removes_targets_through_the_services(client, world):
    stream = MessageStreamFactory(account=world.acme, name="marketing")
    client.force_login(world.tina)
    response = client.post(
        f"{TARGETS}add/", {"account": world.acme.pk, "value": "192.0.2.7", "stream": stream.pk, "role": "ip"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target = MonitoredTarget.objects.get()
    assert target.added_by == world.tina
    client.post(
        f"{TARGETS}{target.pk}/change/", {"account": world.acme.pk, "value": "192.0.2.7", "stream": "", "role": "ip"}
    )
    client.post(STREAMS, {"action": "delete_selected", "_selected_action": [stream.pk], "post": "yes"})
    client.post(TARGETS, {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"})
    assert not MonitoredTarget.objects.exists() and not MessageStream.objects.exists()
    assert trail() == [(K.MONITORING_CHANGED, "tina@tam.test", "acme")] * 4
    details = [e.details for e in AuditEvent.objects.order_by("id")]
    assert details[0] == {"added": ["192.0.2.7"]} and details[1] == {"changed": ["stream"], "value": "192.0.2.7"}
    assert details[2] == {"removed_stream": "marketing", "removed": []} and details[3] == {"removed": ["192.0.2.7"]}


def test_a_removal_and_its_audit_row_roll_back_together(world):
    target = MonitoredTargetFactory(account=world.acme)
    try:
        with transaction.atomic():
            services.target_remove(target=target, actor=world.tina)
            raise RuntimeError
    except RuntimeError:
        pass
    assert MonitoredTarget.objects.count() == 1 and not AuditEvent.objects.exists()
