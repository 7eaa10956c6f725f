"""The cache on Redis (core/redis_cache.py, issue 18): Django's backend with one client per process, which still
reads, writes and counts as Django's does, from several threads. Runs on the tests' Redis (``REDIS_URL``, CI's);
its keys carry a prefix of their own and only they are deleted (never a flush: the broker shares the database)."""

import os
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings

from core.redis_cache import RedisCache

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL and os.environ.get("CI") != "true", reason="no Redis here (CI runs on one)"
)


@pytest.fixture
def cache():
    backend = RedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-redis-cache-{uuid.uuid4().hex}"})
    keys = []
    backend.keys_used = keys
    yield backend
    backend.delete_many(keys)


def test_the_client_is_made_once_not_on_every_call(cache):
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_reads_writes_and_counts_as_djangos_backend(cache):
    cache.keys_used += ["a", "b", "n", "once"]
    cache.set("a", {"panel": "<p>ok</p>"}, 60)
    cache.set_many({"b": 2, "n": 1}, 60)
    assert cache.get_many(["a", "b", "missing"]) == {"a": {"panel": "<p>ok</p>"}, "b": 2}
    assert cache.add("once", 1, 60) is True
    assert cache.add("once", 2, 60) is False
    assert cache.incr("n") == 2
    cache.delete("b")
    assert cache.get("b") is None


def test_one_client_serves_several_threads(cache):
    keys = [f"k{n}" for n in range(40)]
    cache.keys_used += keys

    def write_and_read(key: str):
        cache.set(key, key, 60)
        return cache.get(key)

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(write_and_read, keys)) == keys
