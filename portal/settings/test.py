"""Test settings: the same as production's shape, with fast hashing and in-memory mail.

The database and broker come from the environment like everywhere else: ``make test`` with CI=true
points them at PostgreSQL and Redis.
"""

from .base import *  # noqa: F403
from .base import DATABASES, VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_FAILURE_LIMIT = 5
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so a real Celery worker process can open the test database too.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-portal.sqlite3")}

# Serve static files from the apps directly; no collectstatic needed for tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Tasks run inline so a test sees their effect; the real-worker test switches this off for itself.
CELERY_TASK_ALWAYS_EAGER = True
# Report source IPs are documentation addresses: tests that look up their names point a resolver at them.
DMARC_REVERSE_DNS = False

# Each test process counts rate limits in its own memory: the Redis database the tests share with the Celery
# broker must never be flushed by one test's cache.clear() (tests/conftest.py) while a worker test runs.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 50_000}}}

# The live server is http://localhost: WebAuthn (Chromium's virtual authenticator) may use it.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
