"""What an account monitors, who may change it, and asking for a sweep (deliverability/services.py).

MISSION: DLV-2. Bad lines never stop good ones: everything that was not added comes back with the reason.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.access import can
from accounts.models import Account, AuditEvent
from deliverability import services
from deliverability.models import Blocklist, ListingStatus, MessageStream, MonitoredTarget, Sweep
from tests.accounts.factories import AgentFactory
from tests.deliverability.factories import (
    BlocklistFactory,
    ListingStatusFactory,
    MessageStreamFactory,
    MonitoredTargetFactory,
    SweepFactory,
)
from tests.helpers import work_callbacks


def values(account) -> list[str]:
    return list(MonitoredTarget.objects.filter(account=account).values_list("value", flat=True))


def audit(account) -> list[dict]:
    return list(
        AuditEvent.objects.filter(account=account, kind=AuditEvent.Kind.MONITORING_CHANGED)
        .order_by("id")
        .values_list("details", flat=True)
    )


# --- factories ----------------------------------------------------------------------------------------


def test_factory_output_passes_full_clean(db):
    stream = MessageStreamFactory()
    ip = MonitoredTargetFactory(account=stream.account, stream=stream)
    v6 = MonitoredTargetFactory(account=stream.account, kind="ip6", value="2001:db8::25")
    domain = MonitoredTargetFactory(account=stream.account, domain=True)
    listing = BlocklistFactory()
    for obj in (stream, ip, v6, domain, listing, ListingStatusFactory(target=ip), SweepFactory()):
        obj.full_clean()
    assert ip.sort_key == "ip4:" + bytes(map(int, ip.value.split("."))).hex()
    assert v6.sort_key == "ip6:20010db8000000000000000000000025"
    assert domain.sort_key == f"d:{domain.value}" and domain.kind == "domain" and domain.role == "from"


# --- targets_add ----------------------------------------------------------------------------------------

MIX = """192.0.2.10
2001:DB8::25
198.51.100.16/28
10.0.0.0/16
192.0.2.1/24
exa$mple.com
::ffff:192.0.2.11, Mail.Example.COM."""


def test_targets_add_takes_the_good_lines_and_returns_every_bad_one(world):
    outcome = services.targets_add(
        account=world.acme, actor=world.alice, text=MIX, stream_name="transactional", role="bounce"
    )

    sixteen = [f"198.51.100.{n}" for n in range(16, 32)]
    assert outcome.added == ["192.0.2.10", "2001:db8::25", *sixteen, "192.0.2.11", "mail.example.com"]
    assert outcome.already == []
    rejected = dict(outcome.rejected)
    assert list(rejected) == ["10.0.0.0/16", "192.0.2.1/24", "exa$mple.com"]
    assert "/24" in rejected["10.0.0.0/16"] and "65,536" in rejected["10.0.0.0/16"]
    assert "did you mean 192.0.2.0/24?" in rejected["192.0.2.1/24"]
    assert "neither an IP address nor a domain name" in rejected["exa$mple.com"]
    assert outcome.rejected_text == "10.0.0.0/16\n192.0.2.1/24\nexa$mple.com"

    # numeric order: IPv4 before IPv6, 192.0.2.10 before 198.51.100.16 (text order would differ)
    ips_in_order = MonitoredTarget.objects.filter(account=world.acme).ips().values_list("value", flat=True)
    assert list(ips_in_order) == ["192.0.2.10", "192.0.2.11", *sixteen, "2001:db8::25"]
    stream = MessageStream.objects.get(account=world.acme)
    assert stream.name == "transactional"
    ips = MonitoredTarget.objects.filter(account=world.acme).ips()
    assert {(t.stream_id, t.role, t.added_by_id) for t in ips} == {(stream.pk, "ip", world.alice.pk)}
    assert MonitoredTarget.objects.filter(account=world.acme).ips().filter(kind="ip6").count() == 1
    domain = MonitoredTarget.objects.get(account=world.acme, value="mail.example.com")
    assert (domain.kind, domain.role, domain.stream) == ("domain", "bounce", None)
    assert values(world.globex) == []


def test_duplicates_are_reported_as_already_and_the_stream_is_reused(world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 acme.example", stream_name="mkt")
    outcome = services.targets_add(
        account=world.acme,
        actor=world.alice,
        text="192.0.2.10\n192.0.2.12, 192.0.2.12\nACME.example",
        stream_name="mkt",
    )

    assert outcome.added == ["192.0.2.12"]
    assert outcome.already == ["192.0.2.10", "acme.example"]
    assert outcome.rejected == []
    assert MessageStream.objects.filter(account=world.acme).count() == 1
    assert set(
        MonitoredTarget.objects.filter(account=world.acme, kind="ip4").values_list("stream__name", flat=True)
    ) == {"mkt"}
    # the same address in another account is that account's own target
    assert services.targets_add(account=world.globex, actor=world.bob, text="192.0.2.10").added == ["192.0.2.10"]


@pytest.mark.parametrize(
    ("role", "stored"),
    [
        ("from", "from"),
        ("bounce", "bounce"),
        ("tracking", "tracking"),
        ("other", "other"),
        ("ip", "from"),
        ("", "from"),
    ],
)
def test_domain_roles(world, role, stored):
    services.targets_add(account=world.acme, actor=world.alice, text="news.acme.example 192.0.2.5", role=role)
    assert MonitoredTarget.objects.get(value="news.acme.example").role == stored
    assert MonitoredTarget.objects.get(value="192.0.2.5").role == "ip"


def test_nothing_but_garbage_adds_nothing_and_writes_no_audit_event(world):
    outcome = services.targets_add(account=world.acme, actor=world.alice, text="  exa$mple  999.1.2.3  ")
    assert [line for line, _why in outcome.rejected] == ["exa$mple", "999.1.2.3"]
    assert outcome.added == [] and values(world.acme) == [] and audit(world.acme) == []
    assert MessageStream.objects.count() == 0


def test_the_target_limit_is_respected_and_what_did_not_fit_comes_back(world, settings):
    settings.BLOCKLIST_MAX_TARGETS = 5
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.1 192.0.2.2 192.0.2.3")
    outcome = services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.2 198.51.100.8/29")

    assert outcome.already == ["192.0.2.2"]
    assert outcome.added == ["198.51.100.8", "198.51.100.9"]
    assert [line for line, _why in outcome.rejected] == [f"198.51.100.{n}" for n in range(10, 16)]
    assert all("the most targets it may (5)" in why for _line, why in outcome.rejected)
    assert MonitoredTarget.objects.filter(account=world.acme).count() == 5
    # full: nothing more, everything comes back
    full = services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.200")
    assert full.added == [] and full.rejected[0][0] == "192.0.2.200"
    # the limit is per account
    assert services.targets_add(account=world.globex, actor=world.bob, text="192.0.2.200").added == ["192.0.2.200"]


def test_adding_writes_an_audit_event(world):
    services.targets_add(account=world.acme, actor=world.tina, text="192.0.2.0/30", stream_name="transactional")
    event = AuditEvent.objects.get(account=world.acme, kind=AuditEvent.Kind.MONITORING_CHANGED)
    assert event.actor == world.tina
    assert event.details == {
        "added": ["192.0.2.0", "192.0.2.1", "192.0.2.2", "192.0.2.3"],
        "count": 4,
        "stream": "transactional",
    }


# --- who may change monitoring -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("alice", True),  # Acme's admin
        ("arthur", False),  # Acme's member
        ("bob", False),  # Globex's admin
        ("tina", True),  # Acme's TAM
        ("tom", True),  # Acme's backup TAM
        ("tess", False),  # Globex's TAM
        # A support agent is view-only (deliverability/access.py gives agents no change permission).
        ("sam", False),
        ("root", True),
    ],
)
def test_who_may_manage_monitoring(world, role, allowed):
    assert can(getattr(world, role), "monitoring.manage", world.acme) is allowed


def test_an_agent_does_not_manage_a_closed_account(world):
    Account.objects.filter(pk=world.acme.pk).update(status=Account.Status.CLOSED)
    world.acme.refresh_from_db()
    assert can(AgentFactory(), "monitoring.manage", world.acme) is False


# --- sweep_request ------------------------------------------------------------------------------------


def test_a_sweep_request_queues_one_sweep_and_its_task(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        sweep = services.sweep_request(account=world.acme, actor=world.alice, trigger=Sweep.Trigger.MANUAL)
    assert (sweep.account, sweep.status, sweep.trigger, sweep.requested_by) == (
        world.acme,
        "queued",
        "manual",
        world.alice,
    )
    assert len(work_callbacks(callbacks)) == 1


@pytest.mark.parametrize("state", [Sweep.State.QUEUED, Sweep.State.RUNNING])
def test_an_overlapping_request_gets_the_sweep_under_way(world, state, django_capture_on_commit_callbacks):
    running = SweepFactory(account=world.acme, status=state, finished_at=None)
    with django_capture_on_commit_callbacks() as callbacks:
        again = services.sweep_request(account=world.acme, actor=world.alice, trigger=Sweep.Trigger.MANUAL)
    assert again.pk == running.pk
    assert Sweep.objects.filter(account=world.acme).count() == 1
    assert callbacks == []


def test_a_stale_or_finished_sweep_does_not_block_a_new_one(world, django_capture_on_commit_callbacks):
    stale = SweepFactory(account=world.acme, status=Sweep.State.RUNNING, finished_at=None)
    Sweep.objects.filter(pk=stale.pk).update(created_at=timezone.now() - timedelta(minutes=31))
    done = SweepFactory(account=world.acme, status=Sweep.State.DONE)
    theirs = SweepFactory(account=world.globex, status=Sweep.State.RUNNING, finished_at=None)  # another account's
    with django_capture_on_commit_callbacks() as callbacks:
        new = services.sweep_request(account=world.acme)
    assert new.pk not in (stale.pk, done.pk, theirs.pk)
    assert new.status == "queued" and len(work_callbacks(callbacks)) == 1
    assert Sweep.objects.filter(account=world.acme).count() == 3


# --- removing -------------------------------------------------------------------------------------------


def test_target_remove_archives_the_target_and_leaves_its_listings_out(world):
    """MISSION: DLV-2 — removing stops monitoring; the row stays (archived), so its history stays."""
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11")
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    ListingStatusFactory(target=target, listed=True, result="listed")
    services.target_remove(target=target, actor=world.alice)

    assert values(world.acme) == ["192.0.2.11"]
    assert MonitoredTarget.all_objects.get(pk=target.pk).archived_at is not None
    assert ListingStatus.objects.of(world.acme).listed().count() == 0
    assert audit(world.acme)[-1] == {"removed": ["192.0.2.10"]}


def test_stream_remove_stops_monitoring_its_ips_only(world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11", stream_name="mkt")
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.20 acme.example", stream_name="tx")
    services.targets_add(account=world.globex, actor=world.bob, text="192.0.2.10", stream_name="mkt")
    mkt = MessageStream.objects.get(account=world.acme, name="mkt")
    services.stream_remove(stream=mkt, actor=world.tina)

    assert sorted(values(world.acme)) == ["192.0.2.20", "acme.example"]
    assert list(MessageStream.objects.filter(account=world.acme).values_list("name", flat=True)) == ["tx"]
    assert values(world.globex) == ["192.0.2.10"]
    assert audit(world.acme)[-1] == {"removed_stream": "mkt", "removed": ["192.0.2.10", "192.0.2.11"]}


def test_a_blocklist_with_bad_codes_does_not_pass_full_clean(db):
    bad = Blocklist(zone="bad.bl.test", name="Bad", kind="ip4", codes=[{"code": "127.0.0.9-127.0.0.2"}])
    with pytest.raises(Exception, match="codes are not valid"):
        bad.full_clean()
