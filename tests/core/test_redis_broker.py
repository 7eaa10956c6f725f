"""The Celery broker on Redis (core/redis_broker.py, issue 18): kombu's transport with one client per channel,
which still carries every message, in order, from several threads, and builds a new client after a fork drops
the pool. Runs on the tests' Redis (``REDIS_URL``, CI's); its queues have names of their own and are deleted
(never a flush: the cache and the broker share the database)."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from kombu import Connection

from core.redis_broker import Channel, Transport
from portal.celery import app

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL and os.environ.get("CI") != "true", reason="no Redis here (CI runs on one)"
)


@pytest.fixture
def connection():
    with Connection(settings.REDIS_URL, transport=Transport) as conn:
        yield conn


@pytest.fixture
def queue(connection):
    q = connection.SimpleQueue(f"test-redis-broker-{uuid.uuid4().hex}")
    yield q
    q.queue.delete()
    q.close()


def test_publishing_uses_one_client_per_channel_not_one_per_message(connection):
    channel = connection.default_channel
    assert isinstance(channel, Channel)
    with channel.conn_or_acquire() as first, channel.conn_or_acquire() as second:
        assert first is second and first.connection_pool is channel.pool
    given = channel._create_client()
    with channel.conn_or_acquire(given) as client:
        assert client is given


def test_after_a_fork_drops_the_pool_the_next_call_builds_a_client_over_the_new_one(connection):
    channel = connection.default_channel
    with channel.conn_or_acquire() as before:
        pass
    channel._after_fork()  # what kombu runs in a forked child
    with channel.conn_or_acquire() as after:
        assert after is not before and after.connection_pool is channel.pool
        assert after.ping()


def test_messages_arrive_whole_and_in_order(queue):
    for n in range(20):
        queue.put({"n": n, "text": "Zażółć gęślą jaźń"})
    assert queue.qsize() == 20
    got = [queue.get(timeout=5) for _ in range(20)]
    for message in got:
        message.ack()
    assert [m.payload for m in got] == [{"n": n, "text": "Zażółć gęślą jaźń"} for n in range(20)]


def test_the_one_client_serves_several_threads(connection):
    """A channel is not shared between threads, but its client may be: each command takes a connection from the
    pool."""
    channel = connection.default_channel
    keys = [f"test-redis-broker-{uuid.uuid4().hex}" for _ in range(8)]

    def push(key: str) -> int:
        with channel.conn_or_acquire() as client:
            for n in range(50):
                client.lpush(key, n)
            return client.llen(key)

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            assert list(pool.map(push, keys)) == [50] * 8
    finally:
        with channel.conn_or_acquire() as client:
            client.delete(*keys)


def test_celery_publishes_through_it_on_a_redis_broker():
    assert settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://"))
    with app.connection_for_write() as conn:
        assert isinstance(conn.default_channel, Channel)
