"""``manage.py blocklist_check`` as a whole process: what it loads before it asks anything.

MISSION: DLV-2. A user runs the command as a process; its start-up is part of every check. It must not
run the system checks (they import every URLconf and view: seconds) nor load dnspython's resolver and
DNS-over-HTTPS stack (``dns.resolver`` -> ``dns.query`` -> httpx) when it is told which nameserver to ask.
"""

import subprocess
import sys

from django.conf import settings

from tests.helpers import environment


def imported(*args: str, tmp_path) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules a ``manage.py`` process imported (``-X importtime``), and the process."""
    env = environment(DJANGO_SETTINGS_MODULE="portal.settings.dev", PORTAL_VAR_DIR=str(tmp_path), DATABASE_URL="")
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modules = {line.rsplit("|", 1)[1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return modules, done


def test_the_command_neither_runs_the_system_checks_nor_loads_the_resolver_stack(tmp_path):
    # "--port needs --nameserver" is answered in handle(), after start-up and before any database or DNS work
    modules, done = imported("blocklist_check", "--port", "53", "192.0.2.1", tmp_path=tmp_path)
    assert done.returncode == 1
    assert "--port needs --nameserver" in done.stderr
    assert "deliverability.engine" in modules  # the command did load its engine
    assert "portal.views" not in modules  # the system checks import the URLconf and its views
    assert {"dns.resolver", "dns.query", "httpx"}.isdisjoint(modules)


def test_the_system_checks_still_run_for_the_server_and_manage_py_check(tmp_path):
    modules, done = imported("check", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "portal.views" in modules


def test_start_up_runs_without_the_cyclic_collector_and_the_command_with_it(tmp_path):
    """``manage.py`` pauses the garbage collector while Django starts (it walked start-up's objects again
    and again, and once more at exit: ~0.2 s of CPU of every command); once the apps are ready what start-up
    made is frozen out of its sight and it runs again for the command."""
    env = environment(DJANGO_SETTINGS_MODULE="portal.settings.dev", PORTAL_VAR_DIR=str(tmp_path), DATABASE_URL="")
    probe = "import gc; print(gc.isenabled(), gc.get_freeze_count(), gc.get_stats()[2]['collections'])"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", probe],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    enabled, frozen, full_collections = done.stdout.split()
    assert enabled == "True"  # the command's own garbage is collected
    assert int(frozen) > 100_000  # start-up's objects
    assert full_collections == "0"  # none walked all of them meanwhile


def ended(*args: str, tmp_path) -> subprocess.CompletedProcess:
    """``manage.py`` run as a script, with an atexit handler that says whether the interpreter was torn down."""
    env = environment(DJANGO_SETTINGS_MODULE="portal.settings.dev", PORTAL_VAR_DIR=str(tmp_path), DATABASE_URL="")
    script = (
        "import atexit, runpy, sys; atexit.register(lambda: print('torn down', flush=True)); "
        f"sys.argv = ['manage.py', *{list(args)!r}]; runpy.run_path('manage.py', run_name='__main__')"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_command_ends_without_the_interpreters_teardown_and_keeps_its_exit_status(tmp_path):
    """Unloading ~1,500 modules after the last line was written cost ~0.1 s of a loaded host's CPU; the
    command's status (1: usage error here) and its message survive the quick exit (core/quick_exit.py)."""
    done = ended("blocklist_check", "--port", "53", "192.0.2.1", tmp_path=tmp_path)
    assert done.returncode == 1
    assert "--port needs --nameserver" in done.stderr
    assert "torn down" not in done.stdout


def test_other_commands_still_end_as_python_ends(tmp_path):
    done = ended("shell", "--no-imports", "-c", "print('hello')", tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["hello", "torn", "down"]
