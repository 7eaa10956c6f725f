"""Production installs only what production runs, every package pinned with its hashes (issue 14, ASVS 14.2).

requirements/runtime.txt is what a server installs; requirements/dev.txt adds the test and lint tools. Both are
made from pyproject.toml by ``make lock`` and installed with ``pip install --require-hashes``.
"""

import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.helpers import environment

ROOT = Path(__file__).resolve().parents[2]
RUNTIME = ROOT / "requirements" / "runtime.txt"
DEV = ROOT / "requirements" / "dev.txt"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==(\S+?)\s*\\?$")
DEV_TOOLS = {"pytest", "pytest-django", "pytest-xdist", "playwright", "ruff", "factory-boy", "time-machine", "aiosmtpd"}


def locked(path: Path) -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for every requirement of a pip-compile file."""
    found: dict[str, tuple[str, list[str]]] = {}
    name = None
    for line in path.read_text().splitlines():
        if match := PIN.match(line):
            name = canonicalize_name(match[1])
            found[name] = (match[2], [])
        elif name and (digest := re.search(r"--hash=sha256:([0-9a-f]{64})", line)):
            found[name][1].append(digest[1])
        elif line and not line.startswith(" "):
            name = None
    return found


def declared() -> tuple[list[Requirement], list[Requirement]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return (
        [Requirement(r) for r in project["dependencies"]],
        [Requirement(r) for r in project["optional-dependencies"]["dev"]],
    )


def test_production_lock_holds_no_test_or_lint_tools():
    assert DEV_TOOLS.isdisjoint(locked(RUNTIME)), "requirements/runtime.txt installs a development tool"
    assert DEV_TOOLS <= set(locked(DEV))


def test_every_pin_carries_a_hash_and_both_files_agree_on_versions():
    runtime, dev = locked(RUNTIME), locked(DEV)
    assert len(runtime) > 40
    for path, pins in ((RUNTIME, runtime), (DEV, dev)):
        unhashed = [name for name, (_, hashes) in pins.items() if not hashes]
        assert not unhashed, f"{path.name}: no hash for {unhashed}"
    differ = {name: (version, dev.get(name, ("missing",))[0]) for name, (version, _) in runtime.items()}
    assert {k: v for k, v in differ.items() if v[0] != v[1]} == {}


def test_locks_pin_exactly_what_pyproject_declares():
    runtime_reqs, dev_reqs = declared()
    runtime, dev = locked(RUNTIME), locked(DEV)
    for reqs, pins in ((runtime_reqs, runtime), (dev_reqs, dev)):
        for req in reqs:
            version = pins[canonicalize_name(req.name)][0]
            assert req.specifier.contains(version), f"{req} but the lock has {version}: run `make lock`"


BLOCKER = """
import importlib.abc, sys
BLOCKED = set(sys.argv[1].split(","))
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is a development package: production does not install it")
sys.meta_path.insert(0, Refuse())
sys.argv = ["manage.py", "check", "--deploy", "--fail-level", "WARNING"]
import django
from django.core.management import execute_from_command_line
django.setup()
from django.urls import get_resolver
get_resolver().url_patterns  # every view module imported
from portal.celery import app
app.loader.import_default_modules()  # every task module imported
execute_from_command_line(sys.argv)
"""


def dev_only_modules() -> set[str]:
    """Top-level modules that only development distributions provide, as installed here."""
    runtime = set(locked(RUNTIME))
    modules = set()
    for module, dists in metadata.packages_distributions().items():
        if dists and all(canonicalize_name(d) not in runtime for d in dists):
            modules.add(module)
    return modules - {"_distutils_hack", "pip", "setuptools", "pkg_resources", "tests", "bench"}


def test_production_starts_without_any_development_package():
    """The production settings, every URL's view and every Celery task import with the dev-only packages
    refused, so a server built from requirements/runtime.txt runs."""
    blocked = dev_only_modules()
    assert {"pytest", "playwright", "factory", "time_machine"} <= blocked
    done = subprocess.run(
        [sys.executable, "-c", BLOCKER, ",".join(sorted(blocked))],
        cwd=ROOT,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
