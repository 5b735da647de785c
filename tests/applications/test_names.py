"""A member's real name: filled from the roster when they link their membership (and for
accounts made before sign-up asked), changed on their profile, and shown to staff."""

import csv
import importlib
import io

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from accounts.models import User
from applications.membership import membership_link
from applications.models import Application
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


# --- Linking a membership -------------------------------------------------------------------


def test_linking_a_membership_fills_an_empty_name_from_the_roster():
    user = UserFactory(first_name="", last_name="")
    MembershipFactory(member_number="A-1", first_name="Zoë-Ann", last_name="O'Neil")

    membership_link(user=user, member_number="A-1", last_name="o'neil")

    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Zoë-Ann", "O'Neil")


def test_linking_a_membership_never_replaces_a_name_the_member_typed():
    user = UserFactory(first_name="Liz", last_name="")
    MembershipFactory(member_number="A-2", first_name="Elizabeth", last_name="Ng")

    membership_link(user=user, member_number="A-2", last_name="Ng")

    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Liz", "Ng")


def test_a_name_from_an_external_membership_system_that_no_one_could_type_is_left_out(settings):
    settings.MEMBERSHIP_CHECKER = "tests.applications.test_names.OddNamesChecker"
    user = UserFactory(first_name="", last_name="")

    membership_link(user=user, member_number="X-9", last_name="Okafor")

    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("", "Okafor")


class OddNamesChecker:
    def lookup(self, *, member_number: str, last_name: str):
        from applications.membership import MemberRecord

        return MemberRecord(
            member_number=member_number,
            email="x9@example.test",
            first_name="Chi\nma",
            last_name=" Okafor ",
            expires_on=None,
        )


def test_the_membership_page_fills_the_name_of_the_member_who_links(client):
    user = UserFactory(first_name="", last_name="")
    MembershipFactory(member_number="A-3", first_name="José", last_name="Núñez")
    client.force_login(user)
    response = client.post("/membership/", {"member_number": "a-3", "last_name": "NÚÑEZ"})
    assert response.status_code == 302
    assert str(User.objects.get(pk=user.pk)) == "José Núñez"


# --- Accounts made before sign-up asked -----------------------------------------------------


def test_the_data_migration_fills_empty_names_from_linked_roster_rows():
    nameless = UserFactory(first_name="", last_name="")
    MembershipFactory(user=nameless, first_name="李", last_name="小龙")
    half = UserFactory(first_name="Sam", last_name="")
    MembershipFactory(user=half, first_name="Samantha", last_name="Reyes")
    typed = UserFactory(first_name="Kim", last_name="Lee")
    MembershipFactory(user=typed, first_name="Kimberly", last_name="Lee-Park")
    unlinked = UserFactory(first_name="", last_name="")
    MembershipFactory(first_name="Nobody", last_name="Linked")

    migration = importlib.import_module("applications.migrations.0005_names_from_the_roster")
    state = MigrationLoader(connection).project_state(
        ("applications", "0005_names_from_the_roster")
    )
    migration.fill_names(state.apps, None)

    names = dict(User.objects.values_list("pk", "first_name"))
    last_names = dict(User.objects.values_list("pk", "last_name"))
    assert (names[nameless.pk], last_names[nameless.pk]) == ("李", "小龙")
    assert (names[half.pk], last_names[half.pk]) == ("Sam", "Reyes")
    assert (names[typed.pk], last_names[typed.pk]) == ("Kim", "Lee")
    assert (names[unlinked.pk], last_names[unlinked.pk]) == ("", "")


# --- The profile page -----------------------------------------------------------------------


def test_a_member_changes_their_name_on_their_profile(client, member):
    client.force_login(member)
    page = client.get("/profile/").content.decode()
    assert 'action="/profile/name/"' in page
    assert 'value="Maya"' in page

    response = client.post("/profile/name/", {"first_name": " Maia ", "last_name": "Mendès"})

    assert response.status_code == 302
    assert response["Location"] == "/profile/"
    member.refresh_from_db()
    assert member.get_full_name() == "Maia Mendès"
    assert "Your name is saved." in client.get("/profile/").content.decode()


def test_a_bad_name_comes_back_on_the_profile_page_with_the_reason_and_nothing_saved(
    client, member
):
    client.force_login(member)
    response = client.post("/profile/name/", {"first_name": "Ma\x00ya", "last_name": ""})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<title>Error: Your profile" in html
    assert "Remove the control character" in html
    assert "This field is required." in html
    assert 'href="#id_last_name"' in html  # the summary links to the field
    member.refresh_from_db()
    assert member.get_full_name() == "Maya Member"


def test_the_name_form_has_no_page_of_its_own(client, member):
    client.force_login(member)
    response = client.get("/profile/name/")
    assert response["Location"] == "/profile/"


# --- Where staff see the name ---------------------------------------------------------------


def test_the_staff_application_list_and_csv_show_the_real_name(client, staff):
    member = UserFactory(first_name="José", last_name="Núñez", email="jn@example.test")
    application = ApplicationFactory(member=member)
    client.force_login(staff)

    listing = client.get("/admin/applications/application/").content.decode()
    assert "José Núñez" in listing

    response = client.post(
        "/admin/applications/application/",
        {"action": "export_csv", "_selected_action": [application.pk]},
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [(row["first_name"], row["last_name"]) for row in rows] == [("José", "Núñez")]
    assert Application.objects.count() == 1
