"""Production settings pass ``manage.py check --deploy`` with zero warnings."""

import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import environment

ROOT = Path(__file__).resolve().parents[2]


def check(**overrides) -> subprocess.CompletedProcess:
    """``manage.py check`` under production settings, with some variables changed ("" removes one)."""
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=environment(**overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy_with_no_warnings():
    env = environment()
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout


def test_production_settings_refuse_to_start_without_a_secret_key():
    done = check(SECRET_KEY="")
    assert done.returncode != 0
    assert "Set SECRET_KEY" in done.stderr


@pytest.mark.parametrize(
    "secret",
    [
        "a:b",
        "sparkpost:short-pass",
        "portal-inbound:change-me-in-production",
        "no-colon-at-all-here-1234",
        ":x" * 10,
        "",
    ],
)
def test_production_refuses_a_weak_or_development_webhook_secret(secret):
    done = check(ANYMAIL_WEBHOOK_SECRET=secret)
    assert done.returncode != 0, secret
    assert "ANYMAIL_WEBHOOK_SECRET" in done.stderr


@pytest.mark.parametrize("backend", ["console", "locmem", "dummy", "filebased"])
def test_production_refuses_an_email_backend_that_delivers_nothing(backend):
    done = check(EMAIL_BACKEND=f"django.core.mail.backends.{backend}.EmailBackend")
    assert done.returncode != 0
    assert "delivers no mail" in done.stderr


def test_production_refuses_unverified_inbound_senders_unless_told_so_and_says_so_at_start():
    refused = check(INBOUND_AUTHSERV_ID="")
    assert refused.returncode != 0 and "INBOUND_AUTHSERV_ID" in refused.stderr
    allowed = check(INBOUND_AUTHSERV_ID="", INBOUND_UNVERIFIED_SENDERS="true")
    assert allowed.returncode == 0, allowed.stderr
    assert "inbound mail is believed without sender authentication" in allowed.stderr


SHOW_SESSION_ENGINE = "from django.conf import settings; print(settings.SESSION_ENGINE)"


@pytest.mark.parametrize(("redis_url", "engine"), [("redis://127.0.0.1:6379/15", "cached_db"), ("", "db")])
def test_sessions_are_read_from_the_cache_only_when_every_worker_shares_it(redis_url, engine):
    """Issue 18: one query less per page with Redis; never a cache per process, where a session ended in one
    worker would still open pages in another."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SHOW_SESSION_ENGINE],
        cwd=ROOT,
        env=environment(REDIS_URL=redis_url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == f"django.contrib.sessions.backends.{engine}"
