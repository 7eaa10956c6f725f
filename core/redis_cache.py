"""Django's Redis cache, with one ``redis.Redis`` client per connection pool instead of one per cache call (issue 18).

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every ``get``/``set``/``add``, and each
build copies redis-py's table of response callbacks (~170 entries): about half the CPU of a cache read. A page
makes several (the session, the two-factor and last-seen marks, the panel versions and panels), so every page
paid for it. A ``redis.Redis`` over a pool is safe to share between threads (each command takes a connection
from the pool) and after a fork (the pool notices the new process and opens its own connections).
"""

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient as DjangoRedisCacheClient


class RedisCacheClient(DjangoRedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    """``CACHES``' backend on Redis: Django's, with the client above."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
