"""The web master compiles ahead what every worker needs, and opens nothing a forked worker would share
(portal/warmup.py; issue 18). The production smoke (tests/prod_smoke.py) runs gunicorn with this file and workers
started again after a few requests."""

import json
import subprocess
import sys
from pathlib import Path

from portal.warmup import project_templates
from tests.helpers import environment

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, os
from portal.wsgi import application
from portal.warmup import warm
from django.db import connections
from django.template import engines
compiled = warm()
def target(fd):
    try:
        return os.readlink(f"/proc/self/fd/{fd}")
    except FileNotFoundError:  # the listing's own descriptor, closed by now
        return ""
sockets = [fd for fd in os.listdir("/proc/self/fd") if target(fd).startswith("socket:")]
loader = engines["django"].engine.template_loaders[0]
while not hasattr(loader, "get_template_cache") and getattr(loader, "loaders", None):
    loader = loader.loaders[0]
print(json.dumps({
    "compiled": compiled,
    "sockets": len(sockets),
    "db_open": any(c.connection is not None for c in connections.all(initialized_only=True)),
    "cached": sorted(getattr(loader, "get_template_cache", {})),
}))
"""


def test_the_master_compiles_the_templates_and_opens_no_connection():
    done = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=environment(), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["compiled"] == len(project_templates()) > 100
    assert "portal/dashboard.html" in found["cached"] and "base.html" in found["cached"]
    assert found["sockets"] == 0 and not found["db_open"]  # nothing for the forked workers to share


def test_only_the_projects_templates_are_compiled_ahead():
    names = project_templates()
    assert "portal/dashboard.html" in names and "cases/detail.html" in names
    assert "admin/deliverability/monitoredtarget/submit_line.html" in names  # the project's own admin overrides
    assert "admin/base.html" not in names and not any(name.startswith("django/forms/") for name in names)
