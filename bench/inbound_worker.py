"""What production adds around inbound email, for ``bench/inbound.py`` with ``REDIS_URL``: the cache on Redis (as
``portal.settings.base`` has it there), the tasks each commit publishes counted, and with ``--worker`` a real
Celery worker on the other core draining them while the messages arrive, its CPU time measured.

The bench runs on the tests' settings (fast password hashing, no throttles); this writes a settings module of its own
beside them under the bench's temporary directory, so the bench process and the worker share Redis as their cache,
as every process of a production deployment does (``core.commit.kick`` needs that to publish once per burst).
"""

import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MODULE = "inbound_bench_settings"


def use_shared_cache(tmp: str, redis_url: str) -> None:
    """Point this process (and any worker started later) at settings with Redis as the cache."""
    Path(tmp, f"{MODULE}.py").write_text(
        "from portal.settings.test import *  # noqa: F403\n"
        f"CACHES = {{'default': {{'BACKEND': 'core.redis_cache.RedisCache', 'LOCATION': {redis_url!r}}}}}\n"
        "CELERY_TASK_ALWAYS_EAGER = False\n"
    )
    sys.path.insert(0, tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = MODULE
    os.environ["PYTHONPATH"] = os.pathsep.join([tmp, str(BASE_DIR), os.environ.get("PYTHONPATH", "")])


def count_publishes() -> Counter:
    """Every task message this process publishes, by task name (Celery's ``after_task_publish``)."""
    from celery.signals import after_task_publish

    published: Counter = Counter()

    def seen(sender=None, headers=None, **kwargs):
        published[(headers or {}).get("task", sender)] += 1

    after_task_publish.connect(seen, weak=False)
    return published


def start_worker(log_path: str) -> subprocess.Popen:
    """A real worker on the default queue, one process (``--pool=solo``), pinned to CPU 1."""
    log = open(log_path, "w")  # noqa: SIM115 - closed by finish_worker through the process's end
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", "default", "--loglevel=INFO"]
        + ["--without-mingle", "--without-gossip", "--hostname", "inbound-bench@%h"],
        cwd=BASE_DIR,
        env={**os.environ, "LOG_LEVEL": "INFO"},  # its "Task ... succeeded" lines are counted
        stdout=log,
        stderr=subprocess.STDOUT,
        preexec_fn=lambda: os.sched_setaffinity(0, {1}),  # noqa: PLW1509 - no threads in the bench yet
    )
    deadline = time.monotonic() + 60
    while "ready." not in Path(log_path).read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    return proc


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def finish_worker(proc: subprocess.Popen, log_path: str, idle) -> tuple[float, Counter, float]:
    """Wait until ``idle()`` says the work is drained (at most 5 minutes), then stop the worker. Returns its CPU
    seconds, the tasks it ran by name, and how long the drain took after the last message."""
    started = time.monotonic()
    while not idle() and time.monotonic() - started < 300:
        time.sleep(0.5)
    waited = time.monotonic() - started
    cpu = cpu_seconds(proc.pid)
    proc.terminate()
    proc.wait(timeout=30)
    ran = Counter(re.findall(r"Task ([\w.]+)\[[0-9a-f-]+\] succeeded", Path(log_path).read_text()))
    return cpu, ran, waited
