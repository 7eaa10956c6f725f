"""Reads named once on the QuerySets (deliverability): the latest and the last finished sweep and
authentication run, finding statuses in their one order of severity, listings, targets, articles and
mediation requests. Each is tested directly; a guard keeps the hand-written copies from coming back.
MISSION: DLV-1, DLV-2, DLV-3, TAM-6."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from deliverability.authentication import checks, requirements
from deliverability.authentication.status import BADGE, SEVERITY, FindingStatus, worst_first
from deliverability.models import (
    Article,
    AuthFinding,
    AuthRun,
    Blocklist,
    ListingStatus,
    MediationRequest,
    MonitoredTarget,
    Sweep,
)
from deliverability.templatetags.deliverability_tags import finding_badge, requirement_label
from tests.deliverability.factories import ListingStatusFactory, MonitoredTargetFactory, SweepFactory, catalogue

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


# --- sweeps and runs --------------------------------------------------------------------------------


def test_last_finished_sweep_is_the_latest_done_one_of_that_account(world):
    now = timezone.now()
    SweepFactory(account=world.acme, finished_at=now - timedelta(hours=2))
    done = SweepFactory(account=world.acme, finished_at=now - timedelta(hours=1))
    SweepFactory(account=world.acme, status=Sweep.State.FAILED, finished_at=now)
    running = SweepFactory(account=world.acme, status=Sweep.State.RUNNING, finished_at=None)
    SweepFactory(account=world.globex, finished_at=now)
    assert Sweep.objects.last_finished(world.acme) == done
    assert Sweep.objects.latest_for(world.acme) == running
    assert Sweep.objects.last_finished(world.globex).account == world.globex
    assert Sweep.objects.filter(pk=0).last_finished(world.acme) is None


def run_at(account, status, hours_ago):
    run = AuthRun.objects.create(account=account, status=status)
    AuthRun.objects.filter(pk=run.pk).update(created_at=timezone.now() - timedelta(hours=hours_ago))
    return AuthRun.objects.get(pk=run.pk)


def test_last_finished_auth_run_and_the_one_before(world):
    older = run_at(world.acme, AuthRun.State.DONE, 3)
    newer = run_at(world.acme, AuthRun.State.DONE, 2)
    run_at(world.acme, AuthRun.State.FAILED, 1)
    queued = run_at(world.acme, AuthRun.State.QUEUED, 0)
    run_at(world.globex, AuthRun.State.DONE, 0)
    assert AuthRun.objects.last_finished(world.acme) == newer
    assert AuthRun.objects.latest_for(world.acme) == queued
    assert AuthRun.objects.filter(created_at__lt=newer.created_at).last_finished(world.acme) == older
    assert AuthRun.objects.filter(created_at__lt=older.created_at).last_finished(world.acme) is None


# --- finding statuses -------------------------------------------------------------------------------


def test_one_status_class_and_one_order():
    assert AuthFinding.Status is FindingStatus
    assert (checks.PASS, checks.WARNING, checks.FAIL, checks.ERROR) == tuple(FindingStatus)
    assert sorted(FindingStatus.values, key=worst_first) == ["fail", "error", "warning", "pass"]
    assert set(SEVERITY) == set(FindingStatus) and set(BADGE) <= set(FindingStatus)
    assert [finding_badge(s) for s in ("pass", "warning", "fail", "error", "no_data")] == [
        "ok",
        "warn",
        "bad",
        "neutral",
        "neutral",
    ]
    assert str(requirement_label("error")) == "Not answered"
    assert str(requirement_label(requirements.NOT_CHECKED)) == "Not checked automatically"


def findings(world, statuses):
    run = AuthRun.objects.create(account=world.acme, status=AuthRun.State.DONE, finished_at=timezone.now())
    AuthFinding.objects.bulk_create(
        AuthFinding(run=run, subject=f"d{i:03d}.example", kind="spf", status=s, title="t")
        for i, s in enumerate(statuses)
    )
    return run


def test_worst_first_in_the_database(world):
    run = findings(world, ["pass", "warning", "error", "fail", "warning", "pass"])
    got = list(run.findings.worst_first().values_list("status", "subject"))
    assert got == sorted(got, key=lambda row: (worst_first(row[0]), row[1]))
    assert [s for s, _subject in got][:2] == ["fail", "error"]
    assert set(run.findings.not_passing().values_list("status", flat=True)) == {"warning", "error", "fail"}
    assert run.findings.status_counts() == {"total": 6, "pass": 2, "warning": 2, "fail": 1, "error": 1}


def test_the_panel_shows_a_failing_check_behind_many_unanswered_ones(client, world):
    """The panel used to take the first 50 by the status string ("error" < "fail") and sort those."""
    findings(world, ["error"] * 60 + ["fail"])
    client.force_login(world.alice)
    panel = client.get("/a/acme/panel/authentication/").content.decode()
    assert "<code>d060.example</code>" in panel  # the failing one; d000..d059 did not answer


def test_history_counts(world):
    findings(world, ["fail", "fail", "warning", "pass"])
    (run,) = AuthRun.objects.history(world.acme)
    assert (run.failing, run.warnings, run.worse) == (2, 1, 0)


# --- listings, targets, articles, mediation ---------------------------------------------------------


def test_listing_reads(world):
    ip = MonitoredTargetFactory(account=world.acme, value="192.0.2.10")
    other = MonitoredTargetFactory(account=world.globex, value="198.51.100.7")
    major = catalogue("zen.spamhaus.org")
    minor = Blocklist.objects.filter(importance=Blocklist.Importance.WIDE).exclude(pk=major.pk).first()
    key = ListingStatusFactory(target=ip, blocklist=major)
    ListingStatusFactory(target=ip, blocklist=minor)
    ListingStatusFactory(target=ip, blocklist=catalogue("bl.spamcop.net"), result="clear", listed=False)
    ListingStatusFactory(target=other, blocklist=major)
    mine = ListingStatus.objects.of(world.acme)
    assert mine.count() == 3 and mine.listed().count() == 2
    assert list(mine.listed().on_key_lists()) == [key]
    assert mine.listed().summary() == {"total": 2, "lists": 2, "targets": 1, "key": 1}
    assert set(ListingStatus.objects.search("acme")) == set(mine)
    assert list(ListingStatus.objects.search("198.51")) == list(ListingStatus.objects.of(world.globex))
    assert ListingStatus.objects.search("  ").count() == 4


def test_targets_with_problems(world):
    listed = MonitoredTargetFactory(account=world.acme)
    unanswered = MonitoredTargetFactory(account=world.acme)
    clean = MonitoredTargetFactory(account=world.acme)
    domain = MonitoredTargetFactory(account=world.acme, domain=True)
    ListingStatusFactory(target=listed)
    ListingStatusFactory(target=unanswered, result="error", listed=None)
    ListingStatusFactory(target=clean, result="clear", listed=False)
    assert set(MonitoredTarget.objects.with_problems()) == {listed, unanswered}
    assert list(MonitoredTarget.objects.from_domains()) == [domain]


def test_articles_readable_by(world):
    draft = Article.objects.create(title="Draft on DMARC", slug="draft-dmarc", body="x", tags="dmarc")
    assert draft in Article.objects.readable_by(world.tina)
    assert draft not in Article.objects.readable_by(world.alice)
    assert draft in Article.objects.tagged("dmarc") and draft in Article.objects.search("on dmarc")


def test_open_mediation_requests(world):
    def request(status):
        return MediationRequest.objects.create(
            account=world.acme, provider="gmail", bounce_text="550", first_seen="2026-11-01",
            daily_volume=1, affected_percent=1, status=status,
        )  # fmt: skip

    made = {status: request(status) for status in MediationRequest.Status.values}
    assert set(MediationRequest.objects.open()) == {made["submitted"], made["responded"]}
    assert [s for s, m in made.items() if m.is_open] == ["submitted", "responded"]


# --- no second copy ---------------------------------------------------------------------------------

COPIES = {
    r"AuthRun\.objects\.done\(\)\.filter\(account=": "AuthRun.objects.last_finished(account)",
    r'order_by\("-finished_at"\)\.first\(\)': "Sweep.objects.last_finished(account)",
    r"severity = \{": "deliverability.auth.status.SEVERITY",
    r"""status ?[!=]= ?['"](pass|fail|warning|error)['"]""": "AuthFinding.Status / finding_badge",
    r"""status(__in)?=\[?["'](pass|fail|warning)["']""": "AuthFinding.Status",
    r'"pass", "warning", "fail", "error"': "deliverability.auth.status.FindingStatus",
    r'"pass", "warning", "fail"': "deliverability.auth.status.FindingStatus",
}


def test_no_hand_copies_of_these_reads():
    found = []
    for path in (ROOT / "deliverability").rglob("*"):
        if path.suffix not in {".py", ".html"} or {"migrations", "models"} & set(path.parts):
            continue
        source = path.read_text(encoding="utf-8")
        found += [
            f"{path.relative_to(ROOT)}: use {use}" for pattern, use in COPIES.items() if re.search(pattern, source)
        ]
    assert found == []


def test_unfinished_runs_and_the_beats_accounts(world):
    from deliverability.tasks import monitored_accounts

    queued = run_at(world.acme, AuthRun.State.QUEUED, 0)
    running = run_at(world.acme, AuthRun.State.RUNNING, 0)
    run_at(world.acme, AuthRun.State.DONE, 0)
    assert set(AuthRun.objects.unfinished()) == {queued, running}
    MonitoredTargetFactory(account=world.acme)
    MonitoredTargetFactory(account=world.acme)
    MonitoredTargetFactory(account=world.globex)
    world.globex.status = world.globex.Status.CLOSED
    world.globex.save(update_fields=["status"])
    assert list(monitored_accounts()) == [world.acme]
