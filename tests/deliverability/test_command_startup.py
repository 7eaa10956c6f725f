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
