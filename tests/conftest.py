import pytest
from django.core.cache import cache

from tests.browser import chromium_browser, page  # noqa: F401 - fixtures
from tests.factories import StaffFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # allauth's rate limits count in the cache; one test's failed logins must not leak into another.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member(db):
    return UserFactory(email="member@example.test", first_name="Maya", last_name="Member")


@pytest.fixture
def outsider(db):
    return UserFactory(email="outsider@example.test", first_name="Oliver", last_name="Outsider")


@pytest.fixture
def staff(db):
    return StaffFactory(email="staff@example.test", first_name="Sam", last_name="Staffer")
