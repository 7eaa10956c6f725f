"""The CPU time serving a page costs under load (``bench/load.py``): gunicorn's processes and the PostgreSQL
backends of the run's database, between the start and the end of a wrk run, read from ``/proc`` (Linux).

Processes come and go during a run, and the sum must count every one of them exactly once:

- **gunicorn** recycles a worker after ``max_requests`` (portal/gunicorn_conf.py) and starts another. A process
  that exits keeps its time: when its parent reaps it, the kernel adds its ``utime + stime + cutime + cstime``
  to the parent's ``cutime + cstime`` (fields 16 and 17 of ``/proc/<pid>/stat``). So the tree's total,
  *the master's own and reaped time plus every live descendant's* (``tree_ticks``), only grows: a worker that
  exited mid-run is in the master's reaped time, one started mid-run is a live descendant at the end. Exact.
- **PostgreSQL backends** are the postmaster's children, and the postmaster's reaped time holds every database's
  backends (on a shared server, other people's), so it cannot be used. A web thread keeps its connection for
  ``CONN_MAX_AGE`` (``DB_CONN_MAX_AGE``, 60 s in production) and a recycled worker closes its own, so backends
  close and open during a run. ``BackendTicks`` samples them while wrk runs (every ``INTERVAL`` s): a backend
  alive at the start counts from its time then, one that opened later counts whole (its connection set-up is
  part of serving), one that closed counts up to its last sample, and a pid used again is a new backend (its
  start time differs). What a backend spent between its last sample and its end is not counted:
  ``closed`` says how many closed, each at most ``INTERVAL`` s of one backend's CPU.

The old sum read the same list of pids before and after: a worker recycled mid-run lost everything it had used,
and the figure went negative.
"""

import os
import time
from collections.abc import Callable, Iterable
from pathlib import Path

PROC = Path("/proc")
INTERVAL = 0.25  # seconds between samples of the backends
# Fields of /proc/<pid>/stat (proc(5), numbered from 1) as indexes of the list after the command's ")".
PPID, UTIME, STIME, CUTIME, CSTIME, STARTTIME = 4 - 3, 14 - 3, 15 - 3, 16 - 3, 17 - 3, 22 - 3


def ticks_per_second() -> int:
    return os.sysconf("SC_CLK_TCK")


def stat(pid: int, proc: Path = PROC) -> list[str] | None:
    """``/proc/<pid>/stat`` from field 3 on (after the command name, which may hold spaces); None once gone."""
    try:
        return (proc / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def _own_and_reaped(fields: list[str]) -> int:
    return sum(int(fields[i]) for i in (UTIME, STIME, CUTIME, CSTIME))


def _children(proc: Path) -> dict[int, list[tuple[int, list[str]]]]:
    """Every process's live children with their stat fields, by parent pid."""
    found: dict[int, list[tuple[int, list[str]]]] = {}
    for entry in proc.iterdir():
        if entry.name.isdigit() and (fields := stat(int(entry.name), proc)) is not None:
            found.setdefault(int(fields[PPID]), []).append((int(entry.name), fields))
    return found


def tree_ticks(root: int, proc: Path = PROC, attempts: int = 5) -> int:
    """Clock ticks ``root`` and all its descendants have used so far, the exited ones included (see above).

    A child reaped while the tree is read would count twice or not at all, so the tree is read again until
    the root's reaped time is the same before and after."""
    for _ in range(attempts):
        before = stat(root, proc)
        if before is None:
            raise ProcessLookupError(root)
        children = _children(proc)
        total, todo = 0, [root]
        while todo:
            for pid, fields in children.get(todo.pop(), []):
                total += _own_and_reaped(fields)
                todo.append(pid)
        after = stat(root, proc)
        if after is not None and after[CUTIME : CSTIME + 1] == before[CUTIME : CSTIME + 1]:
            return total + _own_and_reaped(after)
    return total + _own_and_reaped(after or before)


class BackendTicks:
    """Clock ticks a changing set of processes (a database's backends, listed by ``pids()``) use from ``start()``
    on, sampled with ``sample()``; ``total`` after the last sample."""

    def __init__(self, pids: Callable[[], Iterable[int]], proc: Path = PROC):
        self.pids, self.proc = pids, proc
        self.first: dict[tuple[int, str], int] = {}  # (pid, start time) -> ticks when first seen (0: born later)
        self.last: dict[tuple[int, str], int] = {}

    def _read(self) -> dict[tuple[int, str], int]:
        seen = {}
        for pid in self.pids():
            if (fields := stat(pid, self.proc)) is not None:
                seen[(pid, fields[STARTTIME])] = int(fields[UTIME]) + int(fields[STIME])
        return seen

    def start(self) -> None:
        self.first = self._read()
        self.last = dict(self.first)

    def sample(self) -> None:
        for key, ticks in self._read().items():
            self.first.setdefault(key, 0)
            self.last[key] = ticks

    @property
    def total(self) -> int:
        return sum(self.last[key] - self.first[key] for key in self.last)

    def closed(self) -> int:
        """Backends seen that are gone now (their last moments are not counted)."""
        alive = set(self._read())
        return sum(1 for key in self.last if key not in alive)


def settle(read: Callable[[], int], *, quiet: int, interval=0.5, timeout=30.0, sleep=time.sleep) -> int:
    """Wait until ``read()`` (ticks so far) grows by at most ``quiet`` ticks in ``interval`` s (at most ``timeout``
    s) and return its last value. For a run's first reading: the requests a warm-up left queued are still served
    after wrk went away, and their time belongs to no run (on a loaded machine, more than the run's own)."""
    last = read()
    for _ in range(max(1, int(timeout / interval))):
        sleep(interval)
        now = read()
        if now - last <= quiet:
            return now
        last = now
    return last


def reference_ms(rounds: int = 5) -> float:
    """This machine's speed just now: the best of ``rounds`` CPU times of one fixed piece of Python work (JSON,
    dicts, strings: what a page's rendering does), in milliseconds. On a shared machine the same page's CPU per
    request moves with it; two runs compare on their CPU figures divided by this one."""
    import json

    rows = [{"id": n, "name": f"case {n}", "tags": ["a", "b", str(n)], "open": n % 3 == 0} for n in range(2000)]
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        for _ in range(5):
            text = json.dumps(rows)
            again = json.loads(text)
            "".join(f"<td>{row['name']}</td>" for row in again if row["open"] or row["id"] % 2)
        best = min(best, (time.process_time() - start) * 1000)
    return best
