"""The demo names everyone it creates, and its staff account reaches the admin with a password
alone, as `make demo` serves it (DEBUG, where STAFF_REQUIRE_MFA is off by default)."""

import pytest
from django.core.management import call_command
from django.db.models import Q

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_demo_names_everyone_and_its_staff_sign_in_with_a_password_alone(client, settings):
    settings.STAFF_REQUIRE_MFA = False  # its default under DEBUG=1, as `make demo` runs
    call_command("seed_demo", "--cohort", "names", "--mentors", "3", "--mentees", "4")
    call_command("seed_demo")

    assert User.objects.count() > 4
    assert not User.objects.filter(Q(first_name="") | Q(last_name="")).exists()
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "staff@demo.test", "password": "demo-pass-2026"},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
