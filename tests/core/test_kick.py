"""``core.commit.kick``: the worker's drain is published once while one is queued and not started (issue 18: a
burst of inbound email, one commit per message, woke the worker once per message). On the tests' Redis as the
shared cache (CI's); the marks live under a key prefix of their own and are deleted, never flushed."""

import os
import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from accounts.outbox import outbox_enqueue
from accounts.tasks import drain_outbox
from cases.tasks import expand_notifications
from core.commit import QUEUED_FOR, kick, started
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


@pytest.fixture
def shared_cache(settings):
    prefix = f"test-kick-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {"BACKEND": "core.redis_cache.RedisCache", "LOCATION": settings.REDIS_URL, "KEY_PREFIX": prefix}
    }
    yield cache
    for task in (probe, broken, expand_notifications, drain_outbox, drain_webhooks):
        cache.delete(f"kick:queued:{task.name}")


@pytest.fixture(autouse=True)
def _runs(eager_tasks):
    RUNS.clear()
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
