"""The durable outbox (accounts/outbox.py): a notification is a row written with the change it reports, sent
after commit, retried with backoff, and never lost or sent twice ("Nothing the customer sent is ever lost")."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.core.mail.backends import locmem
from django.db import transaction
from django.utils import timezone

from accounts.models import OutboundEmail
from accounts.outbox import MAX_ATTEMPTS, STUCK_AFTER, outbox_drain, outbox_enqueue

BOUNCING = "bounce@customer.test"
FLAKY = "tests.accounts.test_outbox.FlakyBackend"


class FlakyBackend(locmem.EmailBackend):
    """Delivers to ``django.core.mail.outbox`` like the test backend, but the server refuses one address."""

    def send_messages(self, messages):
        for message in messages:
            if BOUNCING in message.to:
                raise SMTPRecipientsRefused({BOUNCING: (550, b"5.1.1 no such user")})
        return super().send_messages(messages)


def enqueue(to, subject="Case ACME-000001 updated", **extra):
    return outbox_enqueue(
        kind="test.notice", to=to if isinstance(to, list) else [to], subject=subject, body="Hello.", **extra
    )


def row(email: str) -> OutboundEmail:
    return OutboundEmail.objects.get(to=[email])


# --- enqueue --------------------------------------------------------------------------------------


def test_a_row_enqueued_in_a_rolled_back_transaction_is_gone(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        with transaction.atomic():
            enqueue("alice@acme.test")
            raise RuntimeError("the change failed")

    assert not OutboundEmail.objects.exists()
    assert callbacks == []  # and no drain is kicked off for it


def test_a_row_is_pending_and_a_drain_is_kicked_off_on_commit(db, django_capture_on_commit_callbacks, mailoutbox):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue("alice@acme.test")
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING
    assert mailoutbox == []  # nothing leaves before the commit

    for callback in callbacks:
        callback()

    assert [m.to for m in mailoutbox] == [["alice@acme.test"]]
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.SENT


def test_recipients_are_cleaned_and_an_empty_list_queues_nothing(db):
    queued = enqueue([" Alice@Acme.test", "alice@acme.test", "", "bob@globex.test"])
    assert queued.to == ["alice@acme.test", "bob@globex.test"]

    assert enqueue(["", "  "]) is None
    assert OutboundEmail.objects.count() == 1


def test_a_dedupe_key_queues_the_notification_once(db):
    first = enqueue("alice@acme.test", dedupe_key="sla:1:callback:breach")
    second = enqueue("alice@acme.test", dedupe_key="sla:1:callback:breach")

    assert first is not None and second is None
    assert OutboundEmail.objects.count() == 1


def test_a_dedupe_clash_does_not_spoil_the_surrounding_transaction(db):
    with transaction.atomic():
        enqueue("alice@acme.test", dedupe_key="reminder:7")
        enqueue("alice@acme.test", dedupe_key="reminder:7")
        enqueue("bob@globex.test")

    assert sorted(r.to[0] for r in OutboundEmail.objects.all()) == ["alice@acme.test", "bob@globex.test"]


# --- drain ----------------------------------------------------------------------------------------


def test_drain_sends_pending_rows_and_marks_them_sent(db, mailoutbox):
    enqueue("alice@acme.test", subject="First", headers={"Auto-Submitted": "auto-generated"})
    enqueue("bob@globex.test", subject="Second", html_body="<p>Hello.</p>")

    assert outbox_drain() == 2

    sent = {m.to[0]: m for m in mailoutbox}
    assert set(sent) == {"alice@acme.test", "bob@globex.test"}
    assert sent["alice@acme.test"].subject == "First"
    assert sent["alice@acme.test"].extra_headers == {"Auto-Submitted": "auto-generated"}
    assert sent["bob@globex.test"].alternatives[0][:2] == ("<p>Hello.</p>", "text/html")
    for r in OutboundEmail.objects.all():
        assert (r.status, r.attempts, r.last_error) == (OutboundEmail.Status.SENT, 1, "")
        assert r.sent_at is not None

    assert outbox_drain() == 0  # nothing is sent twice
    assert len(mailoutbox) == 2


def test_a_row_not_yet_due_waits(db, mailoutbox):
    enqueue("alice@acme.test")
    OutboundEmail.objects.update(next_attempt_at=timezone.now() + timedelta(minutes=5))

    assert outbox_drain() == 0
    assert mailoutbox == []
    assert OutboundEmail.objects.get().status == OutboundEmail.Status.PENDING


def test_one_refused_address_is_retried_later_and_never_stops_the_others(db, settings, mailoutbox):
    settings.EMAIL_BACKEND = FLAKY
    enqueue("alice@acme.test")
    enqueue(BOUNCING)
    enqueue("bob@globex.test")

    before = timezone.now()
    assert outbox_drain() == 2
    after = timezone.now()

    assert sorted(m.to[0] for m in mailoutbox) == ["alice@acme.test", "bob@globex.test"]
    assert row("alice@acme.test").status == row("bob@globex.test").status == OutboundEmail.Status.SENT
    failed = row(BOUNCING)
    assert (failed.status, failed.attempts, failed.sent_at) == (OutboundEmail.Status.PENDING, 1, None)
    assert before + timedelta(seconds=30) <= failed.next_attempt_at <= after + timedelta(seconds=30)
    assert "SMTPRecipientsRefused" in failed.last_error and "no such user" in failed.last_error

    assert outbox_drain() == 0  # not retried before its time
    assert row(BOUNCING).attempts == 1


@pytest.mark.parametrize(("attempts_before", "delay"), [(1, 60), (3, 240), (6, 1920), (7, 3600), (8, 3600)])
def test_retries_back_off_up_to_an_hour(db, settings, attempts_before, delay):
    settings.EMAIL_BACKEND = FLAKY
    enqueue(BOUNCING)
    OutboundEmail.objects.update(attempts=attempts_before)

    before = timezone.now()
    outbox_drain()
    after = timezone.now()

    failed = row(BOUNCING)
    assert (failed.status, failed.attempts) == (OutboundEmail.Status.PENDING, attempts_before + 1)
    assert before + timedelta(seconds=delay) <= failed.next_attempt_at <= after + timedelta(seconds=delay)


def test_after_the_last_attempt_the_row_is_failed_and_left_alone(db, settings, mailoutbox):
    settings.EMAIL_BACKEND = FLAKY
    enqueue(BOUNCING)
    OutboundEmail.objects.update(attempts=MAX_ATTEMPTS - 1)

    assert outbox_drain() == 0

    failed = row(BOUNCING)
    assert (failed.status, failed.attempts) == (OutboundEmail.Status.FAILED, MAX_ATTEMPTS)
    assert "SMTPRecipientsRefused" in failed.last_error
    OutboundEmail.objects.update(next_attempt_at=timezone.now() - timedelta(days=1))
    assert outbox_drain() == 0
    assert row(BOUNCING).attempts == MAX_ATTEMPTS


def test_a_row_left_sending_by_a_dead_worker_is_claimed_again(db, mailoutbox):
    now = timezone.now()
    enqueue("stuck@acme.test")
    enqueue("busy@acme.test")
    OutboundEmail.objects.filter(to=["stuck@acme.test"]).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now - STUCK_AFTER - timedelta(minutes=1)
    )
    OutboundEmail.objects.filter(to=["busy@acme.test"]).update(
        status=OutboundEmail.Status.SENDING, claimed_at=now - timedelta(minutes=5)
    )

    assert outbox_drain() == 1

    assert [m.to for m in mailoutbox] == [["stuck@acme.test"]]
    assert row("stuck@acme.test").status == OutboundEmail.Status.SENT
    assert row("busy@acme.test").status == OutboundEmail.Status.SENDING  # another worker may be sending it


def test_a_row_is_taken_for_stuck_only_after_the_drain_task_could_have_finished():
    """Reclaiming a row while a live worker still sends it would send it twice."""
    from accounts.tasks import drain_outbox

    assert timedelta(seconds=drain_outbox.time_limit) < STUCK_AFTER <= timedelta(minutes=10)
