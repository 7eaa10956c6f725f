"""Kombu's Redis transport, with one ``redis.Redis`` client per channel and pool instead of one per call (issue 18).

kombu's ``Channel.conn_or_acquire`` builds a new ``redis.Redis`` over the channel's pool whenever it is not given
a client: for every message published (``_put``), and for queue sizes, purges and deletes. Building one copies
redis-py's table of response callbacks (~170 entries): about a quarter of the CPU of publishing a task, which
inbound email does once per message that notifies (the drain of the notification outbox). The same mend as
``core/redis_cache.py`` for Django's cache: a ``redis.Redis`` over a pool is safe to share between threads (each
command takes a connection from the pool); after a fork kombu drops its pools (``_disconnect_pools``) and the
next call builds a client over the new one. Used for ``redis://`` and ``rediss://`` brokers
(``CELERY_BROKER_TRANSPORT`` in settings); Sentinel keeps kombu's own transport.
"""

from contextlib import contextmanager

from kombu.transport import redis


class Channel(redis.Channel):
    _shared_client = None

    @contextmanager
    def conn_or_acquire(self, client=None):
        if client:
            yield client
            return
        shared, pool = self._shared_client, self.pool
        if shared is None or shared.connection_pool is not pool:
            shared = self._shared_client = self._create_client()
        yield shared


class Transport(redis.Transport):
    Channel = Channel
