"""Sweeps against a real rbldnsd serving the catalogue's zone names (deliverability/sweeps.py, tasks.py).

MISSION: DLV-2. Events come only from real transitions: a listed/clear answer from a zone that passed its
health check that run, different from the last conclusive one. Errors, unknowns, dead lists and timeouts
never raise an event and never touch the last conclusive answer. Redelivered tasks do nothing.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from deliverability import services, tasks
from deliverability.blocklists import alerts, sweeps
from deliverability.blocklists.dnsbl import Result, Status, Target
from deliverability.models import Blocklist, ListingEvent, ListingStatus, MonitoredTarget, Sweep, SweepChunk
from tests.accounts.factories import AccountFactory
from tests.deliverability.factories import MonitoredTargetFactory, SweepFactory, catalogue
from tests.deliverability.zones import SERVED
from tests.helpers import work_callbacks

ACME_TARGETS = "192.0.2.10 192.0.2.11 2001:db8::25"
CSS = "192.0.2.10 :127.0.0.3:CSS listing for $"
SERVED_ZONES = sorted(SERVED)


@pytest.fixture
def dns(catalogue_server):
    return catalogue_server


@pytest.fixture
def acme(world):
    services.targets_add(account=world.acme, actor=world.alice, text=ACME_TARGETS, stream_name="transactional")
    services.targets_add(account=world.acme, actor=world.alice, text="acme.example", role="from")
    return world.acme


def status(value: str, zone: str) -> ListingStatus:
    return ListingStatus.objects.get(target__value=value, blocklist__zone=zone)


def events(account) -> list[tuple[str, str, str]]:
    return list(
        ListingEvent.objects.filter(account=account)
        .order_by("id")
        .values_list("kind", "target__value", "blocklist__zone")
    )


def test_a_full_sweep_records_every_applicable_pair(dns, acme, sweep, settings):
    settings.BLOCKLIST_RESOLVER_LABEL = "test rbldnsd"
    dns.serve({"zen.spamhaus.org": [CSS]})
    done = sweep(acme)

    assert done.status == Sweep.State.DONE and done.finished_at is not None
    # 2 IPv4 x (ZEN, SpamCop) + the IPv6 address x ZEN (it answers IPv6) + the domain x (DBL, URIBL, SURBL)
    assert done.queries_total == done.queries_done == 8
    assert (done.chunks_total, done.chunks_done, done.listed) == (1, 1, 1)
    assert done.resolver == f"127.0.0.1:{dns.port} (test rbldnsd)"
    assert done.zone_health == dict.fromkeys(SERVED_ZONES, "")
    pairs = set(ListingStatus.objects.values_list("target__value", "blocklist__zone", "result"))
    assert pairs == {
        ("192.0.2.10", "zen.spamhaus.org", "listed"),
        ("192.0.2.10", "bl.spamcop.net", "clear"),
        ("192.0.2.11", "zen.spamhaus.org", "clear"),
        ("192.0.2.11", "bl.spamcop.net", "clear"),
        ("2001:db8::25", "zen.spamhaus.org", "clear"),
        ("acme.example", "dbl.spamhaus.org", "clear"),
        ("acme.example", "multi.uribl.com", "clear"),
        ("acme.example", "multi.surbl.org", "clear"),
    }
    listed = status("192.0.2.10", "zen.spamhaus.org")
    assert listed.codes == ["127.0.0.3"]
    assert str(listed.meaning) == "CSS: snowshoe spam / low-reputation sending"
    assert listed.reason == "CSS listing for 192.0.2.10"
    assert (listed.listed, listed.listed_since, listed.sweep_id) == (True, listed.checked_at, done.pk)
    assert status("192.0.2.11", "zen.spamhaus.org").listed is False
    assert events(acme) == [("listed", "192.0.2.10", "zen.spamhaus.org")]
    event = ListingEvent.objects.get()
    assert (event.codes, event.reason, event.sweep_id) == (["127.0.0.3"], "CSS listing for 192.0.2.10", done.pk)


def test_events_only_on_real_transitions(dns, acme, sweep):
    dns.serve({"zen.spamhaus.org": [CSS], "dbl.spamhaus.org": ["acme.example :127.0.1.4:Phishing $"]})
    first = sweep(acme)
    since = status("192.0.2.10", "zen.spamhaus.org").listed_since
    assert sorted(events(acme)) == [
        ("listed", "192.0.2.10", "zen.spamhaus.org"),
        ("listed", "acme.example", "dbl.spamhaus.org"),
    ]
    assert str(ListingEvent.objects.get(blocklist__zone="dbl.spamhaus.org").meaning) == "Phishing domain"

    second = sweep(acme)  # the same answers again: no new event, "listed since" kept
    assert second.pk != first.pk and second.listed == 2
    assert len(events(acme)) == 2
    assert status("192.0.2.10", "zen.spamhaus.org").listed_since == since
    assert status("192.0.2.10", "zen.spamhaus.org").sweep_id == second.pk

    dns.serve({"dbl.spamhaus.org": ["acme.example :127.0.1.4:Phishing $"]})  # 192.0.2.10 delisted from ZEN
    third = sweep(acme)
    assert events(acme)[2:] == [("delisted", "192.0.2.10", "zen.spamhaus.org")]
    delisting = ListingEvent.objects.get(kind="delisted")
    assert (delisting.codes, delisting.sweep_id) == (["127.0.0.3"], third.pk)  # what the listing was
    zen = status("192.0.2.10", "zen.spamhaus.org")
    assert (zen.result, zen.listed, zen.listed_since) == ("clear", False, None)
    assert third.listed == 1


def test_a_zone_failing_its_health_check_changes_nothing_and_raises_no_event(dns, acme, sweep):
    dns.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    since = status("192.0.2.10", "zen.spamhaus.org").listed_since

    # ZEN stops listing its test entry 127.0.0.2, drops 192.0.2.10 and lists 192.0.2.11: none of it counts
    dns.serve({"zen.spamhaus.org": ["192.0.2.11"]}, broken=["zen.spamhaus.org"])
    failed = sweep(acme)

    assert failed.status == Sweep.State.DONE
    assert "127.0.0.2 is not listed" in str(failed.failed_zones["zen.spamhaus.org"])
    assert failed.zone_health["bl.spamcop.net"] == ""
    assert failed.queries_total == 5  # SpamCop x 2, DBL, URIBL and SURBL x 1: ZEN is not asked
    for value in ("192.0.2.10", "192.0.2.11", "2001:db8::25"):
        unknown = status(value, "zen.spamhaus.org")
        assert unknown.result == "unknown"
        assert "127.0.0.2 is not listed" in str(unknown.meaning)
    assert status("192.0.2.10", "zen.spamhaus.org").listed is True
    assert status("192.0.2.10", "zen.spamhaus.org").listed_since == since
    assert status("192.0.2.11", "zen.spamhaus.org").listed is False
    assert events(acme) == [("listed", "192.0.2.10", "zen.spamhaus.org")]
    assert failed.listed == 1  # the last conclusive answer still says listed


def test_an_error_code_is_an_error_never_a_listing(dns, acme, sweep):
    dns.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    refused = ":127.255.255.254:Query via public resolver"
    dns.serve({"zen.spamhaus.org": [f"192.0.2.10 {refused}", f"192.0.2.11 {refused}"]})
    sweep(acme)

    for value, was_listed in (("192.0.2.10", True), ("192.0.2.11", False)):
        error = status(value, "zen.spamhaus.org")
        assert error.result == "error"
        assert error.codes == ["127.255.255.254"]
        assert "public or open resolver" in str(error.meaning)
        assert error.listed is was_listed  # untouched either way
    assert events(acme) == [("listed", "192.0.2.10", "zen.spamhaus.org")]


def test_a_dead_resolver_does_not_raise_and_raises_no_event(dns, acme, sweep, settings, dead_port):
    dns.serve({"zen.spamhaus.org": [CSS]})
    sweep(acme)
    settings.BLOCKLIST_NAMESERVERS = [f"127.0.0.1:{dead_port}"]
    settings.BLOCKLIST_TIMEOUT, settings.BLOCKLIST_RETRIES = 0.2, 0
    dead = sweep(acme)

    assert dead.status == Sweep.State.DONE
    assert set(dead.zone_health) == set(SERVED_ZONES)
    assert set(dead.failed_zones) == set(SERVED_ZONES)
    assert all("timeout" in str(problem) for problem in dead.failed_zones.values())
    results = set(ListingStatus.objects.values_list("result", flat=True))
    assert results <= {"error", "unknown"} and results
    assert status("192.0.2.10", "zen.spamhaus.org").listed is True
    assert events(acme) == [("listed", "192.0.2.10", "zen.spamhaus.org")]


def test_redelivered_tasks_do_nothing(dns, acme, sweep, monkeypatch):
    dns.serve({"zen.spamhaus.org": [CSS]})
    done = sweep(acme)
    before = (
        list(ListingStatus.objects.order_by("id").values_list("id", "checked_at", "sweep_id")),
        events(acme),
        Sweep.objects.filter(pk=done.pk).values().get(),
        list(SweepChunk.objects.values_list("id", "status", "finished_at")),
    )

    def no_dns(*args, **kwargs):
        raise AssertionError("a redelivered task asked the DNS")

    monkeypatch.setattr(sweeps, "Engine", no_dns)
    sweeps.sweep_run(done.pk)
    for chunk in SweepChunk.objects.filter(sweep=done):
        sweeps.chunk_run(chunk.pk)
    tasks.run_sweep.delay(done.pk)

    after = (
        list(ListingStatus.objects.order_by("id").values_list("id", "checked_at", "sweep_id")),
        events(acme),
        Sweep.objects.filter(pk=done.pk).values().get(),
        list(SweepChunk.objects.values_list("id", "status", "finished_at")),
    )
    assert after == before


def test_a_chunk_whose_worker_died_is_claimed_again(dns, acme, sweep, django_capture_on_commit_callbacks):
    dns.serve({"zen.spamhaus.org": [CSS]})
    done = sweep(acme)
    chunk = SweepChunk.objects.get(sweep=done)
    # as if the worker died mid-chunk 11 minutes ago
    Sweep.objects.filter(pk=done.pk).update(status=Sweep.State.RUNNING, chunks_done=0, finished_at=None)
    SweepChunk.objects.filter(pk=chunk.pk).update(
        status=SweepChunk.State.RUNNING, claimed_at=timezone.now() - timedelta(minutes=11)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sweeps.chunk_run(chunk.pk)
    chunk.refresh_from_db()
    done.refresh_from_db()
    assert chunk.status == SweepChunk.State.DONE and done.status == Sweep.State.DONE
    assert events(acme) == [("listed", "192.0.2.10", "zen.spamhaus.org")]  # the same answer: no new event


def test_a_recent_running_chunk_is_not_claimed_twice(dns, acme, sweep, monkeypatch):
    done = sweep(acme)
    chunk = SweepChunk.objects.get(sweep=done)
    SweepChunk.objects.filter(pk=chunk.pk).update(status=SweepChunk.State.RUNNING, claimed_at=timezone.now())
    monkeypatch.setattr(sweeps, "Engine", lambda *a, **k: pytest.fail("claimed a chunk another worker holds"))
    sweeps.chunk_run(chunk.pk)
    assert SweepChunk.objects.get(pk=chunk.pk).status == SweepChunk.State.RUNNING


def test_record_never_overwrites_a_newer_answer(acme):
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    zen = catalogue("zen.spamhaus.org")
    sweep = SweepFactory(account=acme)
    now = timezone.now()
    listed = sweeps.Finding(Target("ip4", "192.0.2.10"), zen.spec(), Result(Status.LISTED, ("127.0.0.2",), "SBL"))
    clear = sweeps.Finding(Target("ip4", "192.0.2.10"), zen.spec(), Result(Status.CLEAR))
    args = {"sweep": sweep, "targets": {"192.0.2.10": target}, "lists": {zen.zone: zen}}

    assert len(sweeps.record(**args, findings=[listed], checked_at=now)) == 1
    assert sweeps.record(**args, findings=[clear], checked_at=now - timedelta(minutes=5)) == []
    kept = status("192.0.2.10", "zen.spamhaus.org")
    assert (kept.result, kept.listed, kept.checked_at) == ("listed", True, now)

    later = now + timedelta(minutes=5)
    assert [e.kind for e in sweeps.record(**args, findings=[clear], checked_at=later)] == ["delisted"]
    assert status("192.0.2.10", "zen.spamhaus.org").checked_at == later


def test_chunks_share_the_targets_and_the_sweep_finishes_once(dns, world, sweep, settings, monkeypatch):
    settings.BLOCKLIST_CHUNK = 2
    services.targets_add(account=world.acme, actor=None, text="192.0.2.1 192.0.2.2 192.0.2.3 192.0.2.4 192.0.2.5")
    dns.serve({"zen.spamhaus.org": ["192.0.2.5"], "bl.spamcop.net": ["192.0.2.1"]})
    finished = []
    real = alerts.send_alerts
    monkeypatch.setattr(alerts, "send_alerts", lambda sweep_id: finished.append(sweep_id) or real(sweep_id))
    done = sweep(world.acme)

    assert (done.status, done.chunks_total, done.chunks_done) == (Sweep.State.DONE, 3, 3)
    chunks = list(SweepChunk.objects.filter(sweep=done).order_by("number").values_list("target_ids", "status"))
    assert [len(ids) for ids, _s in chunks] == [2, 2, 1] and {s for _i, s in chunks} == {"done"}
    assert sorted(sum((ids for ids, _s in chunks), [])) == sorted(
        MonitoredTarget.objects.filter(account=world.acme).values_list("pk", flat=True)
    )
    assert done.queries_total == done.queries_done == 10
    assert ListingStatus.objects.filter(target__account=world.acme).count() == 10
    assert sorted(events(world.acme)) == [
        ("listed", "192.0.2.1", "bl.spamcop.net"),
        ("listed", "192.0.2.5", "zen.spamhaus.org"),
    ]
    assert finished == [done.pk]


def test_sweep_all_starts_sweeps_only_where_due(world, settings, django_capture_on_commit_callbacks):
    settings.BLOCKLIST_SWEEP_MINUTES = 60
    MonitoredTargetFactory(account=world.acme)
    MonitoredTargetFactory(account=world.acme)
    MonitoredTargetFactory(account=world.globex)
    recent = SweepFactory(account=world.globex)
    Sweep.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    overdue = AccountFactory(slug="initech")
    MonitoredTargetFactory(account=overdue)
    old = SweepFactory(account=overdue)
    Sweep.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=58))
    AccountFactory(slug="no-targets")

    with django_capture_on_commit_callbacks() as callbacks:  # the sweeps themselves are not run here
        started = tasks.sweep_all()

    assert started == 2 and len(work_callbacks(callbacks)) == 2
    queued = Sweep.objects.filter(status=Sweep.State.QUEUED)
    assert sorted(queued.values_list("account__slug", "trigger")) == [("acme", "schedule"), ("initech", "schedule")]


def test_disabled_and_keyless_lists_are_not_swept(dns, acme, sweep):
    Blocklist.objects.filter(zone="bl.spamcop.net").update(enabled=False)
    done = sweep(acme)
    assert "bl.spamcop.net" not in done.zone_health
    assert "combined.mail.abusix.zone" not in done.zone_health  # needs a key that is not set
    assert not ListingStatus.objects.filter(blocklist__zone="bl.spamcop.net").exists()


def test_uribl_is_asked_for_the_registered_domain(dns, world, sweep):
    services.targets_add(account=world.acme, actor=None, text="links.acme-mail.example", role="tracking")
    dns.serve({"multi.uribl.com": ["acme-mail.example :127.0.0.4:grey listed"]})
    sweep(world.acme)
    uribl = status("links.acme-mail.example", "multi.uribl.com")
    assert (uribl.result, uribl.codes, str(uribl.meaning)) == ("listed", ["127.0.0.4"], "URIBL grey")
    assert status("links.acme-mail.example", "dbl.spamhaus.org").result == "clear"  # DBL: the name as given


def test_a_zone_typed_with_capitals_in_the_admin_is_still_swept(dns, acme, sweep):
    """A zone typed with capitals in the admin is stored as DNS compares it (lower case, no final dot),
    and the sweep works."""
    spamcop = Blocklist.objects.get(zone="bl.spamcop.net")
    spamcop.zone = "BL.SpamCop.net."
    spamcop.full_clean()
    spamcop.save()
    assert Blocklist.objects.get(pk=spamcop.pk).zone == "bl.spamcop.net"
    dns.serve({"bl.spamcop.net": ["192.0.2.11"]})
    done = sweep(acme)

    assert done.status == Sweep.State.DONE
    assert status("192.0.2.11", "bl.spamcop.net").result == "listed"
    assert events(acme) == [("listed", "192.0.2.11", "bl.spamcop.net")]


def test_a_delisting_after_an_error_still_says_what_the_listing_was(acme):
    """Listed, then an error answer (kept as the latest result), then clear: the delisting event (history
    page, alert email) names the listing that ended, not the error in between."""
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    zen = catalogue("zen.spamhaus.org")
    args = {"sweep": SweepFactory(account=acme), "targets": {"192.0.2.10": target}, "lists": {zen.zone: zen}}
    now = timezone.now()
    answers = [
        Result(Status.LISTED, ("127.0.0.3",), "CSS: snowshoe spam / low-reputation sending", "CSS listing"),
        Result(Status.ERROR, ("127.255.255.254",), "Spamhaus refused the query: it came through a public resolver."),
        Result(Status.CLEAR),
    ]
    for minutes, result in enumerate(answers):
        finding = sweeps.Finding(Target("ip4", "192.0.2.10"), zen.spec(), result)
        sweeps.record(**args, findings=[finding], checked_at=now + timedelta(minutes=minutes))

    delisting = ListingEvent.objects.get(kind="delisted")
    assert (delisting.codes, str(delisting.meaning)) == (["127.0.0.3"], "CSS: snowshoe spam / low-reputation sending")
