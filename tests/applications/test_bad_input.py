"""Bad input on the member pages and their admin: a message next to the field, never a 500."""

import pytest
from django.urls import reverse

from applications.models import Application, Location, MemberProfile
from tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

# Names ZoneInfo() opens and fails on in ways other than "not found": a directory of zones
# (IsADirectoryError), a name longer than a file name may be (OSError), a data file of the
# zone package that is not a zone (ValueError), a path out of the zone directory.
NOT_ZONES = ["America", "x" * 64, "zone1970.tab", "../../etc", "Mars/Olympus_Mons"]


@pytest.fixture
def cohort():
    return CohortFactory(slug="fall", name="Fall cohort")


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
