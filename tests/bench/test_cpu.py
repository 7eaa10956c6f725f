"""The load bench's CPU per request (bench/cpu.py): gunicorn recycles workers and PostgreSQL backends close
during a run, and every process's time still counts once, never going backwards."""

import subprocess
import sys
from pathlib import Path

from bench import cpu

# A gunicorn in miniature: the "master" starts a "worker" that burns 0.2 s of CPU, says so, waits for a line,
# burns 0.3 s more and exits; the master reaps it and says so, then waits for its own stdin to close.
WORKER = """
import sys, time
def burn(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
burn(0.2)
print("ready", flush=True)
sys.stdin.readline()
burn(0.3)
"""
MASTER = f"""
import subprocess, sys
subprocess.run([sys.executable, "-c", {WORKER!r}])
print("reaped", flush=True)
sys.stdin.read()
"""


def test_a_worker_that_exits_mid_run_still_counts_what_it_spent():
    master = subprocess.Popen([sys.executable, "-c", MASTER], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert master.stdout.readline() == "ready\n"
        before = cpu.tree_ticks(master.pid)
        master.stdin.write("go\n")
        master.stdin.flush()
        assert master.stdout.readline() == "reaped\n"
        spent = (cpu.tree_ticks(master.pid) - before) / cpu.ticks_per_second()
    finally:
        master.stdin.close()
        master.wait(timeout=30)
    # The worker's last 0.3 s of CPU, not minus the 0.2 s it had spent before (the old sum of the pids listed
    # at the start lost an exited worker's time and went negative).
    assert 0.25 <= spent < 1.0


def _process(proc: Path, pid: int, *, ppid: int, utime: int, stime: int = 0, reaped: int = 0, start: int = 1):
    """A /proc/<pid>/stat as Linux writes it (fields 14-17: utime, stime, cutime, cstime; 22: start time)."""
    (proc / str(pid)).mkdir(exist_ok=True)
    fields = ["S", ppid, pid, pid, 0, -1, 0, 0, 0, 0, 0, utime, stime, reaped, 0, 20, 0, 3, 0, start, 0]
    (proc / str(pid) / "stat").write_text(f"{pid} (gunicorn: worker [portal]) " + " ".join(map(str, fields)) + "\n")


def _gone(proc: Path, pid: int):
    (proc / str(pid) / "stat").unlink()
    (proc / str(pid)).rmdir()


def test_the_tree_counts_recycled_workers_whole_and_new_ones_from_their_start(tmp_path):
    proc = tmp_path
    _process(proc, 1, ppid=0, utime=999)  # init: not in the tree
    _process(proc, 10, ppid=1, utime=5, reaped=0)  # gunicorn's master
    _process(proc, 11, ppid=10, utime=100, stime=20)
    _process(proc, 12, ppid=10, utime=50)
    _process(proc, 13, ppid=12, utime=7)  # a worker's own child counts too
    before = cpu.tree_ticks(10, proc)
    assert before == 5 + 120 + 50 + 7
    # Worker 11 used 60 ticks more and was recycled: the master reaped it (its 180 now in the master's cutime);
    # worker 12 used 40 more; worker 14 started and used 30.
    _gone(proc, 11)
    _process(proc, 10, ppid=1, utime=6, reaped=180)
    _process(proc, 12, ppid=10, utime=90)
    _process(proc, 14, ppid=10, utime=30)
    assert cpu.tree_ticks(10, proc) - before == 60 + 40 + 30 + 1 + 0  # the master's own tick included


def test_backends_count_from_the_start_up_to_their_last_sample_and_a_reused_pid_is_a_new_one(tmp_path):
    proc, alive = tmp_path, [101, 102]
    _process(proc, 101, ppid=2, utime=100, start=500)
    _process(proc, 102, ppid=2, utime=10, start=510)
    backends = cpu.BackendTicks(lambda: list(alive), proc)
    backends.start()
    _process(proc, 101, ppid=2, utime=150, start=500)  # 50 while sampled, then its connection closes
    backends.sample()
    _gone(proc, 101)
    _process(proc, 103, ppid=2, utime=20, start=900)  # a new connection: counted whole
    alive[:] = [102, 103]
    backends.sample()
    _process(proc, 101, ppid=2, utime=5, start=950)  # pid 101 again, another backend
    _process(proc, 102, ppid=2, utime=35, start=510)
    alive[:] = [101, 102, 103]
    backends.sample()
    assert backends.total == 50 + 25 + 20 + 5
    alive[:] = [102]  # by the end only 102 is left: the first 101, 103 and the second 101 closed
    assert backends.closed() == 3


def test_the_first_reading_waits_until_the_warm_ups_queue_is_served():
    readings, slept = iter([100, 140, 170, 171, 172, 500]), []
    assert cpu.settle(lambda: next(readings), quiet=2, sleep=slept.append) == 171
    assert len(slept) == 3
    busy = iter(range(0, 10_000, 50))  # never quiet: gives up after the timeout with the last reading
    assert cpu.settle(lambda: next(busy), quiet=2, interval=0.5, timeout=2.0, sleep=slept.append) == 200
