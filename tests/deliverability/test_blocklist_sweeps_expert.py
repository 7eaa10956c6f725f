"""Blocklist monitoring as a deliverability expert tried it (issue 16, "Blocklists"), against rbldnsd.

MISSION: DLV-2. SURBL is asked for the registered domain; a catalogue entry no query can be built for is
skipped and reported, never stopping the sweep; new targets are checked when added; removing a target
keeps its history; key lists failing their health check alert the TAMs once per failure episode;
informational lists never email like key lists.
"""

import pytest
from django.core.exceptions import ValidationError

from deliverability import services
from deliverability.blocklists import alerts
from deliverability.models import Blocklist, ListingEvent, ListingStatus, MonitoredTarget, Sweep
from tests.cases.outbox import outbox


@pytest.fixture
def dns(catalogue_server):
    return catalogue_server


def status(value: str, zone: str) -> ListingStatus:
    return ListingStatus.objects.get(target__value=value, blocklist__zone=zone)


# --- SURBL ------------------------------------------------------------------------------------------------


def test_surbl_is_asked_for_the_registered_domain_like_uribl(dns, world, sweep):
    services.targets_add(account=world.acme, actor=None, text="links.bits.example", role="tracking")
    dns.serve({"multi.surbl.org": ["bits.example :127.0.0.8:phishing"]})
    sweep(world.acme)
    surbl = status("links.bits.example", "multi.surbl.org")
    assert (surbl.result, surbl.codes, str(surbl.meaning)) == ("listed", ["127.0.0.8"], "Phishing")


# --- A bad catalogue zone ---------------------------------------------------------------------------------


def test_the_admin_refuses_a_zone_no_query_can_be_built_under(db):
    for zone in ("bad..zone", "zone", "bad zone.example", "-bad.example"):
        with pytest.raises(ValidationError) as error:
            Blocklist(zone=zone, name="Bad", kind="ip4", codes=[{"code": "127.0.0.2"}]).full_clean()
        assert "Enter a DNS zone such as zen.spamhaus.org." in error.value.message_dict["zone"]
    with pytest.raises(ValidationError) as error:
        Blocklist(zone="ok.example", name="Ok", kind="ip4", keyed_zone="{key}..dq.example").full_clean()
    assert "keyed_zone" in error.value.message_dict


def test_the_admin_add_form_shows_the_zone_error_and_saves_nothing(client, world):
    client.force_login(world.root)
    fields = {"zone": "bad..zone", "name": "Bad", "kind": "ip4", "importance": 2, "codes": "[]", "bits": "[]"}
    response = client.post("/admin/deliverability/blocklist/add/", {**fields, "errors": "[]", "enabled": "on"})
    assert response.status_code == 200  # the form again, with the error (old code: saved, 302)
    assert "Enter a DNS zone such as zen.spamhaus.org." in response.content.decode()
    assert not Blocklist.objects.filter(name="Bad").exists()


def test_a_bad_zone_already_in_the_catalogue_is_skipped_and_reported_never_stopping_the_sweep(dns, world, sweep, alice):
    """Old code: the health check raised on ``bad..zone`` and every account's sweep failed."""
    Blocklist.objects.create(zone="ok.example", name="Broken entry", kind="ip4", codes=[{"code": "127.0.0.2"}])
    Blocklist.objects.filter(zone="ok.example").update(zone="bad..zone")  # as an old admin accepted it
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10")
    dns.serve({"zen.spamhaus.org": ["192.0.2.10"]})
    done = sweep(world.acme)

    assert done.status == Sweep.State.DONE
    assert status("192.0.2.10", "zen.spamhaus.org").result == "listed"
    assert "bad..zone" in done.failed_zones
    assert not ListingStatus.objects.filter(blocklist__zone="bad..zone").exists()
    page = alice.get("/a/acme/deliverability/").content.decode()
    assert "<code>bad..zone</code>: The catalogue entry is not valid" in page


# --- Targets: added, removed, moved ------------------------------------------------------------------------


def test_new_targets_are_checked_when_added(dns, world, django_capture_on_commit_callbacks):
    dns.serve({"zen.spamhaus.org": ["192.0.2.10"]})
    with django_capture_on_commit_callbacks(execute=True):
        services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10 192.0.2.11")
    sweep = Sweep.objects.get(account=world.acme)
    assert (sweep.trigger, sweep.status) == (Sweep.Trigger.ADDED, Sweep.State.DONE)
    assert status("192.0.2.10", "zen.spamhaus.org").listed is True
    assert status("192.0.2.11", "zen.spamhaus.org").listed is False


def test_targets_added_while_a_sweep_runs_get_a_sweep_of_their_own(db, world, django_capture_on_commit_callbacks):
    running = Sweep.objects.create(account=world.acme, status=Sweep.State.RUNNING)
    asked = services.sweep_start(account=world.acme, trigger=Sweep.Trigger.ADDED)
    assert asked.started and asked.sweep != running  # the running one made its chunks without them
    queued = Sweep.objects.create(account=world.globex)
    assert services.sweep_start(account=world.globex, trigger=Sweep.Trigger.ADDED).sweep == queued


def test_removing_a_target_keeps_its_history_and_adding_it_again_restores_it(db, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10", stream_name="tx")
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    ListingEvent.objects.create(
        account=world.acme, target=target, blocklist=Blocklist.objects.get(zone="zen.spamhaus.org"),
        kind="listed", at=target.created_at,
    )  # fmt: skip
    services.target_remove(target=target, actor=world.alice)
    assert not MonitoredTarget.objects.filter(account=world.acme).exists()
    assert ListingEvent.objects.filter(target_id=target.pk).count() == 1  # old code: deleted with the target

    outcome = services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10", stream_name="mkt")
    assert outcome.added == ["192.0.2.10"]
    again = MonitoredTarget.objects.get(account=world.acme)
    assert (again.pk, again.stream.name, again.archived_at) == (target.pk, "mkt", None)


def test_removing_a_stream_keeps_its_ips_history(db, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10", stream_name="tx")
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    services.stream_remove(stream=target.stream, actor=world.alice)
    assert MonitoredTarget.all_objects.get(pk=target.pk).archived_at is not None


def test_a_target_moves_between_streams(db, world):
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.10", stream_name="tx")
    services.targets_add(account=world.acme, actor=world.alice, text="192.0.2.20", stream_name="mkt")
    target = MonitoredTarget.objects.get(value="192.0.2.10")
    mkt = target.account.streams.get(name="mkt")
    services.target_move(target=target, actor=world.alice, stream=mkt)
    assert MonitoredTarget.objects.get(value="192.0.2.10").stream == mkt
    other = services.targets_add(account=world.globex, actor=world.bob, text="203.0.113.9", stream_name="x")
    assert other.added
    with pytest.raises(ValidationError):
        services.target_move(target=target, actor=world.alice, stream=world.globex.streams.get())


# --- Never-public addresses, URLs, IDN --------------------------------------------------------------------


@pytest.mark.parametrize("text", ["0.0.0.0", "10.1.2.3", "127.0.0.2", "fe80::1", "255.255.255.255", "10.0.0.0/24"])
def test_never_public_addresses_are_refused(db, world, text):
    outcome = services.targets_add(account=world.acme, actor=world.alice, text=text)
    assert outcome.added == []
    assert outcome.rejected == [(text, f"“{text}” is not a public address: it never sends mail on the internet.")]


def test_a_pasted_url_becomes_its_host(db, world):
    outcome = services.targets_add(
        account=world.acme, actor=world.alice, text="https://Links.Acme.example/track?x=1 https://", role="tracking"
    )
    assert outcome.added == ["links.acme.example"]
    assert outcome.rejected == [("https://", "“https://” is a web address: enter a domain, not a URL.")]


# --- Alerts -----------------------------------------------------------------------------------------------


def health_mail(account):
    return list(outbox().filter(kind="blocklist.health", account=account).order_by("id"))


def test_a_key_list_failing_its_health_check_alerts_the_tams_once_per_failure_episode(dns, world, sweep):
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10")
    dns.serve(broken=["zen.spamhaus.org", "bl.spamcop.net"])  # ZEN: a key list; SpamCop: widely used
    sweep(world.acme)
    mail = health_mail(world.acme)
    assert [sorted(m.to) for m in mail] == [["tina@tam.test", "tom@tam.test"]]
    assert mail[0].subject == "[Acme] A key blocklist could not be checked"
    assert "Spamhaus ZEN (zen.spamhaus.org): The test entry 127.0.0.2 is not listed" in mail[0].body
    assert "spamcop" not in mail[0].body.lower()

    sweep(world.acme)  # still failing: the same episode
    assert len(health_mail(world.acme)) == 1
    dns.serve()
    sweep(world.acme)  # healthy again
    dns.serve(broken=["zen.spamhaus.org"])
    sweep(world.acme)  # a new episode
    assert len(health_mail(world.acme)) == 2


def test_informational_lists_never_email_like_key_lists(dns, world, sweep):
    Blocklist.objects.filter(zone="bl.spamcop.net").update(importance=Blocklist.Importance.INFORMATIONAL)
    services.targets_add(account=world.acme, actor=None, text="192.0.2.10")
    dns.serve({"bl.spamcop.net": ["192.0.2.10"]})
    done = sweep(world.acme)
    assert ListingEvent.objects.get().blocklist.zone == "bl.spamcop.net"
    assert not outbox().filter(kind="blocklist.alert").exists()
    assert alerts.send_alerts(done.pk) == 0  # and nothing is left to send later
