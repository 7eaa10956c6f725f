"""Nothing the customer sent is lost when processing dies after the raw message is stored (issue 12, item 4):
the MTA's next delivery of the same bytes processes a copy that never finished, the beat processes what is
still ``received`` minutes later, what keeps failing waits in "Needs attention" with the reason, and two
deliveries at once make one reply."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from accounts.models import Account
from cases.email import ingest, recovery
from cases.models import Case, CaseEvent, InboundMessage
from cases.tasks import retry_inbound
from tests.cases import mail_corpus as m
from tests.cases.conftest import open_case
from tests.cases.mta import pipe
from tests.helpers import text

REAL_PARSE = ingest.parse
MINUTE = timedelta(minutes=1)


class Killed(BaseException):
    """The process dies (the kernel's OOM killer, the MTA's timeout): no ``except Exception`` runs."""


pytestmark = pytest.mark.usefixtures("media")  # tests/cases/conftest.py


def crashing(monkeypatch, exc: BaseException) -> None:
    """The parse step dies after the raw message is stored (patched only to simulate the crash)."""

    def parse(raw):
        raise exc

    monkeypatch.setattr(ingest, "parse", parse)


def replies(case: Case) -> list[str]:
    return list(case.events.filter(kind=CaseEvent.Kind.REPLY).values_list("body", flat=True))


def test_a_failed_first_delivery_is_processed_by_the_mtas_retry_of_the_same_bytes_once(world, monkeypatch):
    # MISSION: NC-1 — the customer's email reaches a case even though the first attempt ran out of memory.
    raw = m.plain(subject="Bounces since the migration")
    crashing(monkeypatch, MemoryError())
    first = pipe(monkeypatch, raw)
    assert (first["result"], first["case"]) == ("failed", None) and "MemoryError" in first["reason"]
    assert InboundMessage.objects.get().status == InboundMessage.Status.FAILED and not Case.objects.exists()

    monkeypatch.setattr(ingest, "parse", REAL_PARSE)
    retry = pipe(monkeypatch, raw)
    assert retry == {"result": "created", "case": "ACME-000001", "reason": "new case"}
    again = pipe(monkeypatch, raw)
    assert again == {
        "result": "ignored",
        "case": "ACME-000001",
        "reason": "duplicate: this message was received before",
    }
    message = InboundMessage.objects.get()
    assert (message.status, message.attempts, message.attention, message.claimed_at) == ("processed", 2, {}, None)
    assert Case.objects.get().subject == "Bounces since the migration"


def test_a_delivery_killed_after_storing_is_processed_by_the_beat_once(world, monkeypatch):
    case = open_case(world)
    raw = m.gmail_reply()
    crashing(monkeypatch, Killed())
    with pytest.raises(Killed):
        pipe(monkeypatch, raw)
    message = InboundMessage.objects.get()
    assert (message.status, message.attempts) == ("received", 1)  # the claim was committed before routing
    monkeypatch.setattr(ingest, "parse", REAL_PARSE)

    # The MTA's retry a moment later: the dead process's claim still stands, so this one leaves it alone.
    assert pipe(monkeypatch, raw)["reason"] == "being processed: another delivery or worker has it right now"
    assert replies(case) == []
    later = message.received_at + InboundMessage.STALE_AFTER + MINUTE
    assert list(InboundMessage.objects.needs_staff(now=later)) == [message]
    assert recovery.retry_stale(now=message.received_at + 2 * MINUTE) == 0  # not stale yet

    assert recovery.retry_stale(now=later) == 1
    assert recovery.retry_stale(now=later + MINUTE) == 0
    assert len(replies(case)) == 1
    message.refresh_from_db()
    assert (message.status, message.case, message.attempts) == ("processed", case, 2)
    assert not InboundMessage.objects.needs_staff(now=later).exists()


def test_a_message_that_keeps_killing_the_worker_is_marked_for_a_person(client, world, monkeypatch):
    raw = m.plain(subject="Poison")
    crashing(monkeypatch, Killed())
    with pytest.raises(Killed):
        ingest.receive(raw)
    message = InboundMessage.objects.get()
    now = message.received_at
    for attempt in (2, 3):
        now += InboundMessage.STALE_AFTER + MINUTE
        with pytest.raises(Killed):
            recovery.retry_stale(now=now)
        assert InboundMessage.objects.get().attempts == attempt
    now += InboundMessage.STALE_AFTER + MINUTE
    assert recovery.retry_stale(now=now) == 1  # no fourth attempt: given up
    message.refresh_from_db()
    assert (message.status, message.attempts) == ("failed", 3)
    with translation.override("pl"):
        assert message.attention_text.startswith("Przetwarzanie rozpoczęto 3 razy i ani razu się nie zakończyło")
    assert recovery.retry_stale(now=now + InboundMessage.STALE_AFTER) == 0  # the beat leaves it to a person

    monkeypatch.setattr(ingest, "parse", REAL_PARSE)
    client.force_login(world.tina)
    page = text(client.get("/console/inbound/"))
    assert f'href="/console/inbound/{message.pk}/"' in page
    assert "Processing started 3 times and never finished" in page
    client.post(f"/console/inbound/{message.pk}/replay/")
    assert Case.objects.get().subject == "Poison"


def test_one_message_that_cannot_be_processed_never_stops_the_others(world, monkeypatch):
    for n in range(3):
        crashing(monkeypatch, Killed())
        with pytest.raises(Killed):
            ingest.receive(m.plain(subject=f"Message {n}", message_id=f"<{n}@acme.test>"))
    monkeypatch.setattr(ingest, "parse", REAL_PARSE)
    first, *_ = InboundMessage.objects.order_by("id")
    real_process = ingest.process

    def database_hiccup_on_the_first(pk, **kwargs):
        if pk == first.pk:
            raise RuntimeError("connection reset")
        return real_process(pk, **kwargs)

    monkeypatch.setattr(ingest, "process", database_hiccup_on_the_first)
    later = InboundMessage.objects.latest("received_at").received_at + InboundMessage.STALE_AFTER + MINUTE
    assert recovery.retry_stale(now=later) == 2
    assert sorted(Case.objects.values_list("subject", flat=True)) == ["Message 1", "Message 2"]
    assert InboundMessage.objects.get(pk=first.pk).status == "received"  # the next run tries it again


def test_the_beat_task_processes_what_was_left_received(world, monkeypatch, settings):
    entry = settings.CELERY_BEAT_SCHEDULE["retry-inbound"]
    assert (entry["task"], entry["schedule"]) == ("cases.tasks.retry_inbound", 60.0)
    crashing(monkeypatch, Killed())
    with pytest.raises(Killed):
        ingest.receive(m.plain())
    monkeypatch.setattr(ingest, "parse", REAL_PARSE)
    long_ago = timezone.now() - InboundMessage.STALE_AFTER - InboundMessage.CLAIM_FOR
    InboundMessage.objects.update(received_at=long_ago, claimed_at=long_ago)
    retry_inbound.delay()
    assert InboundMessage.objects.get().status == "processed" and Case.objects.count() == 1


def test_two_deliveries_at_once_make_one_reply(world, monkeypatch):
    """The MTA hands the same message over twice at once (a timeout on its side): the second delivery comes
    while the first is routing it, finds it claimed, and does nothing."""
    case = open_case(world)
    raw = m.gmail_reply()
    second = []

    def parse_while_it_comes_again(data):
        if not second:
            second.append(ingest.receive(raw))
        return REAL_PARSE(data)

    monkeypatch.setattr(ingest, "parse", parse_while_it_comes_again)
    first = ingest.receive(raw)
    assert (first.result, second[0].result) == ("appended", "ignored")
    assert len(replies(case)) == 1
    assert InboundMessage.objects.get().attempts == 1


def test_needs_attention_shows_stale_and_failed_mail_by_the_tenant_rule(client, world, monkeypatch):
    """Stale and failed messages wait in "Needs attention"; an agent sees no message of a closed account (as
    nowhere else in the console), the closed account's TAM and a superuser do."""
    crashing(monkeypatch, Killed())
    with pytest.raises(Killed):
        ingest.receive(m.plain(subject="Stuck", message_id="<stuck@acme.test>"))
    stuck = InboundMessage.objects.get()
    crashing(monkeypatch, RuntimeError("storage offline"))
    ingest.receive(m.plain(frm=world.bob.email, subject="Globex failed", message_id="<failed@globex.test>"))
    failed = InboundMessage.objects.exclude(pk=stuck.pk).get()
    # As a message that failed while it was being added to one of Globex's cases is kept.
    InboundMessage.objects.filter(pk=failed.pk).update(account=world.globex)
    fresh = timezone.now()
    InboundMessage.objects.filter(pk=stuck.pk).update(received_at=fresh - InboundMessage.STALE_AFTER - MINUTE)

    def attention(user) -> str:
        client.force_login(user)
        return text(client.get("/console/inbound/"))

    for user in (world.sam, world.tess, world.root):
        page = attention(user)
        assert f"/console/inbound/{stuck.pk}/" in page and f"/console/inbound/{failed.pk}/" in page
        assert "Not processed yet; it is processed again automatically." in page
        assert "Processing failed at attempt 1" in page
    assert f"/console/inbound/{failed.pk}/" not in attention(world.tina)  # Globex is not hers

    Account.objects.filter(pk=world.globex.pk).update(status=Account.Status.CLOSED)
    assert f"/console/inbound/{failed.pk}/" not in attention(world.sam)
    client.force_login(world.sam)
    assert client.get(f"/console/inbound/{failed.pk}/").status_code == 404
    assert f"/console/inbound/{failed.pk}/" in attention(world.tess)
    assert f"/console/inbound/{failed.pk}/" in attention(world.root)
