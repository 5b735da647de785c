"""Test settings: the real settings, made fast. Nothing here changes behaviour under test, but
for the staff second-factor requirement, which the tests that need it turn on."""

import os

os.environ.setdefault(
    "SECRET_KEY", "test-secret-key-not-for-production-" + "abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("EMAIL_URL", "locmemmail://")
# Staff in tests sign in with a password alone, as in DEBUG; the tests of the requirement
# (tests/accounts/test_mfa.py) turn it on for themselves.
os.environ.setdefault("STAFF_REQUIRE_MFA", "0")


def _own_redis_database(url: str, worker: str) -> str:
    """The Redis URL for one parallel test worker (pytest-xdist's "gw0", "gw1", ...).

    Tests empty the cache between them and the real-worker tests consume the broker's queue, so
    two workers sharing a database would flush and steal each other's tasks. Each counts down
    from the configured database: gw0 keeps it, gw1 takes the one below, and so on.
    """
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    base = int(parts.path.lstrip("/") or 0)
    database = (base - int(worker.removeprefix("gw"))) % 16
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw") and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], _worker)

from mentorship.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test client and the live server speak plain HTTP on localhost.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Tasks run in-process and their errors fail the test; the real-worker tests and the retry
# tests change this for themselves.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
