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

from mentorship.settings import *  # noqa: F403

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
