import os
from importlib import import_module

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.browser import chromium_browser, page  # noqa: F401 - fixtures
from tests.factories import MemberFactory, StaffFactory, UserFactory

# Examples are generated with database rows; on a loaded machine (CI's parallel workers) that is
# slow, which says nothing about the code under test. Properties are still checked in full.
hypothesis_settings.register_profile(
    "suite", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("suite")


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits count in the cache; one test's failed logins must not leak into another.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests (live server, real workers, races) empty every table afterwards, the
    reference data seeded by migration included; put it back for those that run on a clean DB."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"live_server", "transactional_db"} & set(request.fixturenames)
    )
    if transactional:
        request.getfixturevalue("transactional_db")
        from django.apps import apps

        import_module("applications.migrations.0002_reference_data").seed_reference_data(apps, None)


@pytest.fixture
def member(db):
    """A verified account with a current membership and a complete profile."""
    return MemberFactory(email="member@example.test", first_name="Maya", last_name="Member")


@pytest.fixture
def outsider(db):
    """Another member: must never see the first member's things."""
    return MemberFactory(email="outsider@example.test", first_name="Oliver", last_name="Outsider")


@pytest.fixture
def non_member(db):
    """A verified account with no membership."""
    return UserFactory(email="nonmember@example.test", first_name="Nia", last_name="Nonmember")


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.test", first_name="Sam", last_name="Staffer")


def _missing_service(item) -> str:
    if item.get_closest_marker("postgres") and not os.environ.get("DATABASE_URL", "").startswith(
        ("postgres://", "postgresql://")
    ):
        return "postgres"
    if item.get_closest_marker("worker") and not os.environ.get("REDIS_URL"):
        return "worker"
    return ""


def pytest_collection_modifyitems(config, items):
    """Leave out tests whose service is not configured, rather than skipping them.

    `make test` with no services runs everything else; with DATABASE_URL (PostgreSQL) and
    REDIS_URL set, as in CI's second run, these run too.
    """
    kept, left_out = [], []
    for item in items:
        (left_out if _missing_service(item) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
        config._left_out_for_services = len(left_out)


def pytest_terminal_summary(terminalreporter, config):
    count = getattr(config, "_left_out_for_services", 0)
    if count:
        terminalreporter.write_line(
            f"{count} test(s) need PostgreSQL (DATABASE_URL) or Redis (REDIS_URL) and were left "
            "out; set both to run them."
        )
