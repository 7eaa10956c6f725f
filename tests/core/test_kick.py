"""``core.commit.kick``: the worker's drain is published once while one is queued and not started (issue 18: a
burst of inbound email, one commit per message, woke the worker once per message). On the tests' Redis as the
shared cache (CI's); the marks live under a key prefix of their own and are deleted, never flushed."""

import os
import uuid

import pytest
import redis
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.outbox import outbox_enqueue
from accounts.tasks import drain_outbox
from cases.tasks import expand_notifications
from core.commit import QUEUED_FOR, kick, run_drain, started
from integrations.tasks import drain_webhooks
from portal.celery import app as celery_app

needs_redis = pytest.mark.skipif(
    not settings.REDIS_URL and os.environ.get("CI") != "true", reason="no Redis here (CI runs on one)"
)

RUNS: list[str] = []


@celery_app.task(name="tests.core.test_kick.probe")
def probe() -> None:
    """A task that stays "queued, not started": it never calls ``started``, so only a new mark publishes it."""
    RUNS.append("ran")


@celery_app.task(name="tests.core.test_kick.broken")
def broken() -> None:
    raise ConnectionError("the broker is down")  # what delay() raises when Redis cannot be reached


WORK: list[str] = []  # what the "chunked" drain below still has to do
FAIL_WITH: list[type] = []  # an error the next run of "chunked" raises after its first item


@celery_app.task(name="tests.core.test_kick.chunked")
def chunked() -> int:
    """A drain that takes two items a run (its batch limit), as the outbox drain takes 20 batches of 50."""

    def work() -> int:
        RUNS.append("ran")
        done = 0
        for _ in range(2):
            if not WORK:
                break
            WORK.pop()
            done += 1
            if FAIL_WITH:
                raise FAIL_WITH.pop()("stopped")
        return done

    return run_drain(chunked, work, more=lambda: bool(WORK))


@pytest.fixture
def shared_cache(settings):
    prefix = f"test-kick-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": settings.REDIS_URL, "KEY_PREFIX": prefix}
    }
    yield cache
    for task in (probe, broken, chunked, expand_notifications, drain_outbox, drain_webhooks):
        cache.delete(f"kick:queued:{task.name}")


@pytest.fixture(autouse=True)
def _runs(eager_tasks):
    RUNS.clear()
    WORK.clear()
    FAIL_WITH.clear()
    yield
    RUNS.clear()


@needs_redis
def test_while_one_is_queued_and_not_started_kicks_publish_nothing_more(shared_cache):
    for _ in range(50):
        kick(probe)
    assert RUNS == ["ran"]
    key = shared_cache.make_and_validate_key("kick:queued:tests.core.test_kick.probe")
    ttl = redis.Redis.from_url(settings.REDIS_URL).ttl(key)
    assert 0 < ttl <= QUEUED_FOR  # a task lost on its way holds the mark no longer than beat's interval


@needs_redis
def test_once_the_task_has_started_the_next_kick_publishes_it_again(shared_cache):
    kick(probe)
    started(probe)
    kick(probe)
    kick(probe)
    assert RUNS == ["ran", "ran"]


@needs_redis
def test_a_publish_that_fails_leaves_no_mark_and_the_next_kick_tries_again(shared_cache, caplog):
    kick(broken)
    kick(broken)
    assert caplog.text.count("could not enqueue tests.core.test_kick.broken") == 2
    assert shared_cache.get("kick:queued:tests.core.test_kick.broken") is None


def test_with_a_cache_per_process_every_kick_publishes():
    """The embedded default (memory cache): a mark there would hide work from the worker, another process."""
    for _ in range(3):
        kick(probe)
    assert RUNS == ["ran", "ran", "ran"]


@needs_redis
@pytest.mark.django_db
@pytest.mark.parametrize("task", [expand_notifications, drain_outbox, drain_webhooks], ids=lambda t: t.name)
def test_every_kicked_task_clears_its_mark_when_it_starts(shared_cache, task):
    """A kicked task that forgot ``started`` would leave the next minute's commits to beat."""
    kick(task)  # eager: the task runs here, as a worker would
    assert shared_cache.get(f"kick:queued:{task.name}") is None


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_mail_queued_in_one_commit_after_another_all_goes_out(shared_cache, mailoutbox):
    """MISSION CR-2: a notification is never held back because a drain was asked for before it."""
    for n in range(5):
        with transaction.atomic():
            outbox_enqueue(kind="test.notice", to=[f"ops{n}@acme.example"], subject=f"Case update {n}", body="Zażółć")
    assert sorted(m.subject for m in mailoutbox) == [f"Case update {n}" for n in range(5)]


@needs_redis
def test_the_mark_is_gone_before_the_drain_reads_anything(shared_cache):
    """A commit made while the drain reads must publish it again, or that commit waits for beat."""
    kick(probe)  # a mark, as a queued task leaves it
    seen = []
    run_drain(probe, lambda: seen.append(shared_cache.get("kick:queued:tests.core.test_kick.probe")) or 0, more=list)
    assert seen == [None]


@needs_redis
@pytest.mark.django_db(transaction=True)
def test_mail_committed_while_a_drain_is_queued_goes_out_with_that_drain(shared_cache, mailoutbox):
    """MISSION CR-2: the kicks that found the mark published nothing; the drain they found queued sends their mail."""
    shared_cache.add(f"kick:queued:{drain_outbox.name}", 1, timeout=QUEUED_FOR)  # a drain is queued, not started
    for n in range(5):
        with transaction.atomic():
            outbox_enqueue(kind="test.notice", to=[f"ops{n}@acme.example"], subject=f"Case update {n}", body="Zażółć")
    assert mailoutbox == []  # nothing more was published
    drain_outbox()  # the queued drain, as the worker runs it
    assert sorted(m.subject for m in mailoutbox) == [f"Case update {n}" for n in range(5)]


@needs_redis
def test_a_drain_that_stops_at_its_limit_hands_the_rest_to_a_fresh_task(shared_cache):
    WORK.extend("abcde")
    kick(chunked)
    assert WORK == [] and RUNS == ["ran", "ran", "ran"]


@needs_redis
@pytest.mark.parametrize(("error", "runs", "left"), [(SoftTimeLimitExceeded, 3, 0), (RuntimeError, 1, 4)])
def test_a_drain_stopped_by_an_error_hands_the_rest_on_only_at_its_soft_time_limit(shared_cache, error, runs, left):
    """The run a worker stops at the soft limit kicks the next (eager: run here) before it ends. Another error does
    not: a row that fails every time would publish the drain in a loop; beat tries again in a minute."""
    WORK.extend("abcde")
    FAIL_WITH.append(error)
    with pytest.raises(error):
        chunked()
    assert RUNS == ["ran"] * runs and len(WORK) == left


@needs_redis
def test_a_drain_that_did_nothing_is_not_published_again_whatever_is_due(shared_cache):
    assert run_drain(chunked, lambda: 0, more=lambda: True) == 0
    assert RUNS == []


def test_a_cache_that_cannot_be_reached_never_stops_a_publish(settings, caplog):
    """Redis down for the cache: every kick publishes (the worker finds the work), and the worker's start goes on."""
    settings.CACHES = {"default": {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}}
    kick(probe)
    kick(probe)
    started(probe)
    assert RUNS == ["ran", "ran"]
    assert "could not mark tests.core.test_kick.probe as queued" in caplog.text
    assert "could not clear kick:queued:tests.core.test_kick.probe" in caplog.text
