"""Shared fixtures: the two-tenant world every isolation test runs in, and service guards.

Outside CI a test that needs an absent system service (Chromium) skips with a one-line reason; with
CI=true nothing may skip, so a missing service fails the run instead.
"""

import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from tests.accounts.factories import (
    PASSWORD,
    AccountFactory,
    AgentFactory,
    MembershipFactory,
    SuperuserFactory,
    TamFactory,
    UserFactory,
)

IN_CI = os.environ.get("CI", "").lower() == "true"


def require(available: bool, reason: str) -> None:
    """Skip outside CI when a system service is missing; fail in CI, where everything must run."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def pytest_collection_modifyitems(config, items):
    """Under faked dates (tests/dates.py sets ``DATES_SHARD`` to "k/n"), each case of an access matrix runs under
    one of the dates only: every case once across the dates (``tests.dates.runs_here``)."""
    from tests.dates import runs_here

    shard = os.environ.get("DATES_SHARD")
    if not shard:
        return
    elsewhere = [item for item in items if not runs_here(item.nodeid, getattr(item, "originalname", item.name), shard)]
    if elsewhere:
        dropped = set(elsewhere)
        items[:] = [item for item in items if item not in dropped]
        config.hook.pytest_deselected(items=elsewhere)


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium" or "/usr/bin/chromium"


@dataclass
class World:
    acme: object
    globex: object
    alice: object  # Acme account admin
    arthur: object  # Acme member
    bob: object  # Globex account admin
    tina: object  # TAM of Acme
    tom: object  # backup TAM of Acme
    tess: object  # TAM of Globex only
    sam: object  # support agent
    root: object  # superuser
    password: str = PASSWORD


@pytest.fixture
def world(db):
    tina = TamFactory(email="tina@tam.test", full_name="Tina Nowak")
    tom = TamFactory(email="tom@tam.test", full_name="Tom Becker", calendar__timezone="America/New_York")
    tess = TamFactory(email="tess@tam.test", full_name="Tess Lindqvist")
    acme = AccountFactory(name="Acme", slug="acme", primary_tam=tina, backup_tam=tom)
    globex = AccountFactory(name="Globex", slug="globex", primary_tam=tess, timezone="America/New_York")
    alice = UserFactory(email="alice@acme.test", full_name="Alice Andrzejewska")
    arthur = UserFactory(email="arthur@acme.test", full_name="Arthur Malinowski")
    bob = UserFactory(email="bob@globex.test", full_name="Bob Harris", timezone="America/New_York")
    MembershipFactory(account=acme, user=alice, role="admin")
    MembershipFactory(account=acme, user=arthur, role="member")
    MembershipFactory(account=globex, user=bob, role="admin")
    return World(
        acme=acme,
        globex=globex,
        alice=alice,
        arthur=arthur,
        bob=bob,
        tina=tina,
        tom=tom,
        tess=tess,
        sam=AgentFactory(email="sam@support.test", full_name="Sam Okafor"),
        root=SuperuserFactory(email="root@portal.test", full_name="Root Admin"),
    )


@pytest.fixture(autouse=True)
def _reset_language_and_timezone():
    """Django keeps the last activated language and time zone on the thread; start every test clean."""
    from django.utils import timezone, translation

    yield
    translation.activate("en")
    timezone.deactivate()


@pytest.fixture(autouse=True)
def _clear_cache():
    """Rate limits count in the cache (core/ratelimit.py); one test's hits must not count in the next."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def english():
    """The messages asserted are the English ones, whatever language an earlier test in this process left
    active (Django keeps the last activated language on the thread)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def eager_tasks():
    """Tasks enqueued on commit run in this process, so the e-mail they send lands in ``mailoutbox``."""
    from portal.celery import app as celery_app

    before = {key: celery_app.conf[key] for key in ("task_always_eager", "task_eager_propagates")}
    celery_app.conf.update(task_always_eager=True, task_eager_propagates=True)
    yield
    celery_app.conf.update(before)


@pytest.fixture
def frozen(time_machine):
    """Stop the clock where a test says: ``frozen("2026-05-11 10:00")`` is that instant in UTC (or pass an
    aware datetime); ``frozen(...)`` again moves it. Tests whose answer depends on the date, the time of
    day, the weekday or DST use it, so they pass on any day the suite runs."""

    def at(when: str | datetime, *, tick: bool = False) -> datetime:
        moment = when if isinstance(when, datetime) else datetime.fromisoformat(when).replace(tzinfo=UTC)
        time_machine.move_to(moment, tick=tick)  # tick: the clock runs on from there (a live server, a browser)
        return moment

    return at


@pytest.fixture
def unused_udp_port() -> int:
    """A loopback UDP port nothing listens on (queries sent there time out)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def receiver(settings):
    """The loopback receiver; the portal may reach loopback over http in these tests only."""
    settings.WEBHOOKS_ALLOW_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOKS_ALLOW_HTTP = True
    from tests.helpers import Receiver

    r = Receiver()
    import threading

    thread = threading.Thread(target=r.server.serve_forever, daemon=True)
    thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
