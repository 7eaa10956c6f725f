"""Migrations run while the previous release serves traffic (issue 18).

On PostgreSQL every migration goes through django-pg-zero-downtime-migrations (portal/settings/base.py):
indexes are built CONCURRENTLY, constraints added NOT VALID and validated apart, no statement waits on a lock
longer than ``ZERO_DOWNTIME_MIGRATIONS_LOCK_TIMEOUT``. What it cannot make safe it calls unsafe; the main one
here is ``ADD COLUMN ... NOT NULL`` with a default only in Python: the previous release's INSERTs do not name
the column and fail once Django drops the default. A new NOT NULL column takes ``db_default``.

The migrations released before this rule are listed with what they did; every other migration must be safe.
The longest lock on a database holding the 100,000-case bench data is measured by ``bench/migrations.py``.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django_zero_downtime_migrations.backends.postgres.schema import UnsafeOperationException

OURS = {"accounts", "cases", "deliverability", "planning", "availability", "integrations", "sso", "portal"}
NOT_NULL = "ADD COLUMN NOT NULL"
# Released before issue 18, applied everywhere already: history, not a precedent.
RELEASED_UNSAFE = {
    ("accounts", "0003_account_response_target_hours_outboundemail"): NOT_NULL,
    ("accounts", "0007_audit_targets"): NOT_NULL,
    ("accounts", "0011_session_policy"): NOT_NULL,
    ("accounts", "0013_two_factor"): NOT_NULL,
    ("availability", "0002_probes"): NOT_NULL,
    ("availability", "0006_probe_refusal"): NOT_NULL,
    ("availability", "0007_incident_span"): NOT_NULL,
    ("cases", "0006_inbound_claim"): NOT_NULL,
    ("cases", "0009_inbound_sender_verification"): NOT_NULL,
    ("cases", "0011_sev1b_intake_clock"): NOT_NULL,
    ("deliverability", "0003_auth_checks"): NOT_NULL,
    ("deliverability", "0007_article_translations"): NOT_NULL,
    ("planning", "0005_warmup_limits_and_codes"): NOT_NULL,
}

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the rule is PostgreSQL's (make test)")


def _unsafe(app: str, name: str) -> str | None:
    try:
        call_command("sqlmigrate", app, name, stdout=io.StringIO())
    except UnsafeOperationException as error:
        return str(error).splitlines()[0].removesuffix(" is unsafe operation")
    return None


def _ours() -> list[tuple[str, str]]:
    return sorted(key for key in MigrationLoader(None, ignore_no_migrations=True).disk_migrations if key[0] in OURS)


@pytest.mark.django_db
def test_every_new_migration_is_safe_to_run_under_the_previous_release(settings):
    settings.ZERO_DOWNTIME_MIGRATIONS_RAISE_FOR_UNSAFE = True
    found = {key: problem for key in _ours() if (problem := _unsafe(*key))}
    new = {f"{app}.{name}": problem for (app, name), problem in found.items() if (app, name) not in RELEASED_UNSAFE}
    assert not new, f"unsafe while the previous release serves (use db_default for a NOT NULL column): {new}"


@pytest.mark.django_db
def test_the_list_of_released_exceptions_only_shrinks(settings):
    """A listed migration that is safe after all, or is gone, leaves the list (it must not cover a new one)."""
    settings.ZERO_DOWNTIME_MIGRATIONS_RAISE_FOR_UNSAFE = True
    stale = [key for key in RELEASED_UNSAFE if key not in _ours() or _unsafe(*key) is None]
    assert not stale


def test_postgresql_migrates_through_the_zero_downtime_backend():
    assert connection.settings_dict["ENGINE"] == "django_zero_downtime_migrations.backends.postgres"
    assert connection.vendor == "postgresql"


def test_every_migration_replays_on_a_filled_database_without_a_long_lock(tmp_path):
    """bench/migrations.py, small: a database of its own with 1,000 cases, every app rewound to its first
    migration and migrated forward while pg_locks is watched. The 100,000-case figure is in the note."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER'] or 'postgres'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
    name = f"portal_bench_migrations_test_{os.getpid()}"
    env = {**os.environ, "DATABASE_URL": url + name, "PORTAL_VAR_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, str(settings.BASE_DIR / "bench" / "migrations.py"), "--cases", "1000"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
        assert "filled 1,000 cases" in run.stdout and "longest lock blocking writes" in run.stdout
    finally:
        import psycopg

        params = {"host": db["HOST"] or "127.0.0.1", "port": db["PORT"] or 5432, "user": db["USER"] or "postgres"}
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
