"""Retention (issue 18): the daily housekeeping task lets go of what is past its time and keeps the rest.

Each rule is checked with one row just past its limit and one just inside it; 0 days keeps everything; one
failing rule does not stop the others; what a page still shows stays; a retention that is not a whole number
stops the start.
"""

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from accounts.models import AuditEvent, DataExport, FormSubmission, OutboundEmail
from availability.models import IngestBatch, SecondRollup
from cases.models import InboundMessage
from deliverability.models import Sweep, SweepChunk
from portal import housekeeping
from portal.tasks import housekeeping as housekeeping_task
from tests.accounts.factories import (
    AccountFactory,
    AuditEventFactory,
    DataExportFactory,
    FormSubmissionFactory,
    OutboundEmailFactory,
)
from tests.availability.factories import IngestBatchFactory, SecondRollupFactory
from tests.cases.factories import CaseFactory, InboundMessageFactory
from tests.deliverability.factories import SweepChunkFactory, SweepFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 15, 3, 30, tzinfo=UTC)


def backdate(model, row, field: str, days: float):
    model.objects.filter(pk=row.pk).update(**{field: NOW - timedelta(days=days)})


def pair(make, model, field: str, limit: int):
    """A row a day past the limit and one a day inside it."""
    old, kept = make(), make()
    backdate(model, old, field, limit + 1)
    backdate(model, kept, field, limit - 1)
    return old, kept


@time_machine.travel(NOW, tick=False)
def test_each_rule_lets_go_past_its_limit_and_keeps_what_is_inside_it():
    audit_old, audit_kept = pair(AuditEventFactory, AuditEvent, "created_at", 730)
    account = AccountFactory()
    sweep_old, sweep_kept = pair(lambda: SweepFactory(account=account), Sweep, "created_at", 90)
    SweepChunkFactory(sweep=sweep_old)
    sent = lambda: OutboundEmailFactory(status=OutboundEmail.Status.SENT, next_attempt_at=NOW)  # noqa: E731
    mail_old, mail_kept = pair(sent, OutboundEmail, "created_at", 90)
    failed_old = OutboundEmailFactory(status=OutboundEmail.Status.FAILED, next_attempt_at=NOW)
    backdate(OutboundEmail, failed_old, "created_at", 400)  # an email that never left is kept for staff
    processed = lambda: InboundMessageFactory(status=InboundMessage.Status.PROCESSED)  # noqa: E731
    inbound_old, inbound_kept = pair(processed, InboundMessage, "received_at", 90)
    quarantined = InboundMessageFactory(status=InboundMessage.Status.QUARANTINED)
    backdate(InboundMessage, quarantined, "received_at", 400)  # still waiting for staff: kept whole
    SecondRollupFactory(second=int(datetime(2025, 5, 1, tzinfo=UTC).timestamp()) - 1)  # April, before day 400's month
    second_kept = SecondRollupFactory(second=int((NOW - timedelta(days=399)).timestamp()))
    batch_old, batch_kept = pair(IngestBatchFactory, IngestBatch, "created_at", 400)
    token_old, token_kept = pair(FormSubmissionFactory, FormSubmission, "created_at", 7)
    export_old, export_kept = pair(DataExportFactory, DataExport, "created_at", 7)

    done = housekeeping_task.apply().get()

    assert done == {
        "inbound_raw": 1,
        "audit_events": 1,
        "blocklist_sweeps": 2,  # the sweep and its chunk
        "sent_emails": 1,
        "availability_seconds": 1,
        "availability_batches": 1,
        "data_exports": 1,
        "form_submissions": 1,
    }
    statuses = dict(DataExport.objects.values_list("pk", "status"))
    assert statuses == {export_old.pk: DataExport.Status.EXPIRED, export_kept.pk: DataExport.Status.PENDING}
    assert set(AuditEvent.objects.values_list("pk", flat=True)) == {audit_kept.pk}
    assert set(Sweep.objects.values_list("pk", flat=True)) == {sweep_kept.pk}
    assert not SweepChunk.objects.filter(sweep_id=sweep_old.pk).exists()
    assert set(OutboundEmail.objects.values_list("pk", flat=True)) == {mail_kept.pk, failed_old.pk}
    raw = dict(InboundMessage.objects.values_list("pk", "raw"))
    assert bytes(raw[inbound_old.pk]) == b""
    assert bytes(raw[inbound_kept.pk]) != b"" and bytes(raw[quarantined.pk]) != b""
    assert InboundMessage.objects.filter(pk=inbound_old.pk, fingerprint=inbound_old.fingerprint).exists()
    assert set(SecondRollup.objects.values_list("pk", flat=True)) == {second_kept.pk}
    assert set(IngestBatch.objects.values_list("pk", flat=True)) == {batch_kept.pk}
    assert set(FormSubmission.objects.values_list("pk", flat=True)) == {token_kept.pk}


@time_machine.travel(NOW, tick=False)
def test_zero_days_keeps_forever(settings):
    settings.RETAIN_AUDIT_DAYS = 0
    old = AuditEventFactory()
    backdate(AuditEvent, old, "created_at", 5000)

    assert housekeeping.housekeeping()["audit_events"] == 0
    assert AuditEvent.objects.filter(pk=old.pk).exists()


@time_machine.travel(NOW, tick=False)
def test_batches_go_in_small_transactions_until_all_are_gone(monkeypatch):
    monkeypatch.setattr(housekeeping, "BATCH", 3)
    for _ in range(8):
        backdate(AuditEvent, AuditEventFactory(), "created_at", 800)

    assert housekeeping.housekeeping()["audit_events"] == 8
    assert not AuditEvent.objects.exists()


@time_machine.travel(NOW, tick=False)
def test_a_failing_rule_is_reported_and_the_others_still_run(monkeypatch):
    def broken(cutoff):
        raise RuntimeError("table missing")

    rules = [housekeeping.Rule("broken", "RETAIN_BROKEN_DAYS", 1, broken), *housekeeping.RULES]
    monkeypatch.setattr(housekeeping, "RULES", rules)
    old = AuditEventFactory()
    backdate(AuditEvent, old, "created_at", 800)

    done = housekeeping.housekeeping()

    assert done["broken"] == -1
    assert done["audit_events"] == 1


@time_machine.travel(NOW, tick=False)
def test_an_accounts_latest_sweep_and_latest_done_sweep_stay_however_old():
    """Sweeps stopped (targets removed, the resolver failing for months): the page still says when it last checked."""
    account = AccountFactory()
    replaced, last_done = SweepFactory(account=account), SweepFactory(account=account)
    latest = SweepFactory(account=account, status=Sweep.State.FAILED)
    for days, sweep in [(300, replaced), (200, last_done), (150, latest)]:
        backdate(Sweep, sweep, "created_at", days)

    assert housekeeping.housekeeping()["blocklist_sweeps"] == 1

    assert set(Sweep.objects.values_list("pk", flat=True)) == {last_done.pk, latest.pk}
    assert Sweep.objects.last_finished(account) == last_done
    assert Sweep.objects.latest_for(account) == latest


@time_machine.travel(NOW, tick=False)
def test_raw_email_of_a_case_still_open_is_kept_until_the_case_is_resolved():
    open_case, resolved = CaseFactory(), CaseFactory(status="resolved")
    on_open = InboundMessageFactory(status=InboundMessage.Status.PROCESSED, case=open_case)
    on_resolved = InboundMessageFactory(status=InboundMessage.Status.PROCESSED, case=resolved)
    for message in (on_open, on_resolved):
        backdate(InboundMessage, message, "received_at", 400)

    assert housekeeping.housekeeping()["inbound_raw"] == 1

    raw = dict(InboundMessage.objects.values_list("pk", "raw"))
    assert bytes(raw[on_open.pk]) == bytes(on_open.raw) and bytes(raw[on_resolved.pk]) == b""


@time_machine.travel(NOW, tick=False)
def test_availability_seconds_go_by_whole_months():
    """400 days before 15 June 2026 is 11 May 2025: May stays whole (its report is right or absent, never a part)."""
    first_of_may = int(datetime(2025, 5, 1, tzinfo=UTC).timestamp())
    april, may = SecondRollupFactory(second=first_of_may - 1), SecondRollupFactory(second=first_of_may)

    assert housekeeping.housekeeping()["availability_seconds"] == 1

    assert set(SecondRollup.objects.values_list("pk", flat=True)) == {may.pk}
    assert not SecondRollup.objects.filter(pk=april.pk).exists()


@pytest.mark.parametrize(
    ("name", "value"),
    [("RETAIN_AUDIT_DAYS", "-1"), ("RETAIN_SWEEP_DAYS", "90d"), ("RETAIN_AVAILABILITY_DAYS", "30")],
)
def test_a_retention_that_is_not_whole_days_or_under_its_floor_stops_the_start(name, value):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", name: value}
    run = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode != 0
    assert f"ImproperlyConfigured: {name} must be 0 (keep forever) or a whole number of days" in run.stderr
