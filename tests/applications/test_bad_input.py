"""Bad input on the member pages and their admin: a message next to the field, never a 500."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from applications.models import Application, Location, MemberProfile, Membership
from applications.roster import RosterImportError, roster_import
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

# Names ZoneInfo() opens and fails on in ways other than "not found": a directory of zones
# (IsADirectoryError), a name longer than a file name may be (OSError), a data file of the
# zone package that is not a zone (ValueError), a path out of the zone directory.
NOT_ZONES = ["America", "x" * 64, "zone1970.tab", "../../etc", "Mars/Olympus_Mons"]


def test_a_mentor_who_leaves_the_number_of_mentees_empty_saves_the_draft(client, member, cohort):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentor/",
        {"offer": "Residency precepting.", "mentee_capacity": "", "action": "draft"},
    )
    assert response.status_code == 302
    application = Application.objects.get(member=member)
    assert (application.offer, application.mentee_capacity) == ("Residency precepting.", 1)


@pytest.mark.parametrize("typed", ["0", "-1", "99999999999999999999", "²", "abc"])
def test_a_mentor_who_posts_an_impossible_number_of_mentees_is_told_next_to_it(
    client, member, cohort, typed
):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentor/", {"mentee_capacity": typed, "action": "draft"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["mentee_capacity"]
    assert not Application.objects.exists()


@pytest.mark.parametrize("name", NOT_ZONES)
def test_staff_cannot_give_a_member_a_time_zone_that_does_not_exist(client, staff, member, name):
    client.force_login(staff)
    profile = member.profile
    response = client.post(
        reverse("admin:applications_memberprofile_change", args=[profile.pk]),
        {
            "user": member.pk,
            "location": profile.location_id,
            "time_zone": name,
            "career_stage": profile.career_stage_id,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["time_zone"] == [
        "Choose a time zone from the list, for example America/New_York."
    ]
    profile.refresh_from_db()
    assert profile.time_zone == "America/Denver"


def test_staff_cannot_give_a_state_a_time_zone_that_does_not_exist(client, staff):
    client.force_login(staff)
    colorado = Location.objects.get(code="CO")
    response = client.post(
        reverse("admin:applications_location_change", args=[colorado.pk]),
        {
            "code": "CO",
            "name": "Colorado",
            "region": colorado.region,
            "division": colorado.division,
            "default_time_zone": "America",
            "order": colorado.order,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["default_time_zone"]
    colorado.refresh_from_db()
    assert colorado.default_time_zone == "America/Denver"


def test_a_member_posting_a_zone_that_is_not_in_the_list_is_told_next_to_it(client, member):
    client.force_login(member)
    response = client.post(reverse("applications:profile"), {"time_zone": "America"})
    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"]


@pytest.mark.parametrize("name", NOT_ZONES)
def test_a_bad_zone_already_stored_falls_back_to_the_program_zone_on_every_page(
    client, member, cohort, name
):
    MemberProfile.objects.filter(user=member).update(time_zone=name)
    client.force_login(member)
    for url in [
        reverse("home"),
        cohort.get_absolute_url(),
        "/cohorts/fall/apply/mentee/",
        reverse("applications:profile"),
        reverse("applications:mine"),
        reverse("meetings:list"),
    ]:
        assert client.get(url).status_code == 200, url


# --- The member roster ----------------------------------------------------------------------

ROSTER_HEADER = b"member_number,email,first_name,last_name,expires_on\n"
IMPORT_URL = "/admin/applications/membership/import/"


def _upload(content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("roster.csv", content, content_type="text/csv")


def test_a_nul_in_a_roster_field_is_a_row_error_not_a_crash():
    """PostgreSQL cannot store a NUL in text; SQLite can, and then nobody can type the name."""
    with pytest.raises(RosterImportError) as caught:
        roster_import(
            file=io.BytesIO(
                ROSTER_HEADER + b"A-1,a@example.test,An\x00a,Lopez,\nA-2,b@example.test,Ben,Ok,\n"
            )
        )
    assert [(e.line, e.reason) for e in caught.value.errors] == [
        (2, "first_name contains a control character (such as NUL); remove it"),
    ]
    assert not Membership.objects.exists()


def test_the_import_command_names_the_line_with_a_nul(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_bytes(ROSTER_HEADER + b"A-1,a@example.test,Ana,Lo\x00pez,\n")
    stderr = io.StringIO()
    with pytest.raises(CommandError, match="Nothing was imported: 1 row"):
        call_command("import_roster", str(roster), stderr=stderr)
    assert "line 2: last_name contains a control character" in stderr.getvalue()
    assert not Membership.objects.exists()


def test_the_import_page_names_the_line_with_a_nul(client, staff):
    client.force_login(staff)
    response = client.post(
        IMPORT_URL, {"file": _upload(ROSTER_HEADER + b"A-1,a@example.test,\x00,Lopez,\n")}
    )
    assert response.status_code == 200
    assert "Line 2: first_name contains a control character" in response.content.decode()
    assert not Membership.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_staff_who_may_not_add_members_are_refused_the_import_page(client, method):
    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_membership"))
    client.force_login(viewer)
    response = getattr(client, method)(
        IMPORT_URL, {"file": _upload(ROSTER_HEADER + b"A-1,a@example.test,Ana,Lopez,\n")}
    )
    assert response.status_code == 403
    assert not Membership.objects.exists()


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(client, staff, settings):
    client.force_login(staff)
    junk = ROSTER_HEADER + b"x" * (10 * 1024 * 1024)
    response = client.post(IMPORT_URL, {"file": _upload(junk)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        "This file is larger than 10 MB, more than a roster needs: check that it is the "
        "roster exported as CSV."
    ]
    assert not response.context["errors"]


def test_the_import_page_lists_the_first_hundred_bad_lines_and_counts_the_rest(client, staff):
    client.force_login(staff)
    rows = b"".join(b"A-%d,not-an-email,Ana,Lopez,\n" % n for n in range(1, 1001))
    response = client.post(IMPORT_URL, {"file": _upload(ROSTER_HEADER + rows)})
    html = response.content.decode()
    assert "Nothing was imported: 1000 rows of the file have errors." in html
    assert html.count("<li>Line ") == 100
    assert "Line 101:" in html and "Line 102:" not in html
    assert "and 900 more rows with errors" in html


@pytest.mark.parametrize("value", ["abc", "²", "\x00", "99999999999999999999", "-1"])
def test_the_application_list_with_a_cohort_filter_that_is_no_id_does_not_fail(
    client, staff, cohort, value
):
    client.force_login(staff)
    url = reverse("admin:applications_application_changelist")
    response = client.get(url, {"cohort__id__exact": value})
    assert response.status_code in {200, 302}


@pytest.mark.postgres
@pytest.mark.parametrize("value", ["\x00", "mars\x00"])
def test_the_region_filter_ignores_a_region_that_does_not_exist(client, staff, cohort, value):
    client.force_login(staff)
    url = reverse("admin:applications_application_changelist")
    # The admin site drops a filter holding a NUL before the filter sees it.
    assert client.get(url, {"region": value}, follow=True).status_code == 200


@pytest.mark.parametrize("value", ["9223372036854775808", "99999999999999999999", "²", "-1"])
def test_a_practice_area_or_interest_that_is_no_id_is_refused_next_to_it(client, member, value):
    client.force_login(member)
    response = client.post(
        reverse("applications:profile"), {"interests": value, "practice_areas": value}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["interests"]
    assert response.context["form"].errors["practice_areas"]


@pytest.mark.parametrize("value", ["abc", "²", "99999999999999999999"])
def test_staff_giving_a_profile_an_account_that_is_no_id_are_told_next_to_it(
    client, staff, member, value
):
    client.force_login(staff)
    url = reverse("admin:applications_memberprofile_change", args=[member.profile.pk])
    response = client.post(url, {"user": value, "time_zone": "America/Denver"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]


def test_staff_giving_a_profile_interests_that_are_no_ids_are_told_next_to_them(
    client, staff, member
):
    client.force_login(staff)
    url = reverse("admin:applications_memberprofile_change", args=[member.profile.pk])
    response = client.post(
        url, {"user": member.pk, "interests": "-99999999999999999999", "time_zone": "UTC"}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["interests"]
