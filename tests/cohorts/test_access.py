"""Who may download a resource file or the orientation's calendar file: everyone else gets 404."""

import importlib
from datetime import timedelta

import pytest
from django.urls import clear_url_caches, reverse
from icalendar import Calendar

from cohorts.models import Resource
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

GUIDE = b"%PDF-1.4 the mentee guide"


@pytest.fixture
def mentee_guide(cohort, media_root):
    """A file for the cohort's mentees only."""
    return ResourceFactory(
        uploaded=True,
        file__data=GUIDE,
        original_filename="Mentee guide.pdf",
        cohort=cohort,
        audience=Resource.Audience.MENTEE,
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("applicant", 404),
        ("other_mentee", 404),
        ("mentor", 404),
        ("mentee", 200),
        ("staffer", 200),
    ],
)
def test_a_resource_file_is_served_only_to_the_people_it_is_for(
    sign_in, mentee_guide, persona, status
):
    response = sign_in(persona).get(reverse("cohorts:resource_file", args=[mentee_guide.pk]))
    assert response.status_code == status


def test_the_file_comes_as_a_private_attachment_under_its_original_name(sign_in, mentee_guide):
    response = sign_in("mentee").get(reverse("cohorts:resource_file", args=[mentee_guide.pk]))
    assert b"".join(response.streaming_content) == GUIDE
    assert response["Content-Disposition"] == 'attachment; filename="Mentee guide.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"


def test_a_resource_for_every_cohort_is_served_to_participants_of_any_cohort(
    sign_in, media_root, other_cohort
):
    for_everyone = ResourceFactory(uploaded=True, cohort=None, audience=Resource.Audience.MENTEE)
    url = reverse("cohorts:resource_file", args=[for_everyone.pk])
    assert sign_in("other_mentee").get(url).status_code == 200


def test_a_resource_for_every_cohort_is_still_not_served_to_a_member_in_no_cohort(
    sign_in, media_root
):
    for_everyone = ResourceFactory(uploaded=True, cohort=None)
    url = reverse("cohorts:resource_file", args=[for_everyone.pk])
    assert sign_in("applicant").get(url).status_code == 404


def test_a_resource_for_all_roles_is_served_to_the_cohorts_mentor(sign_in, cohort, media_root):
    for_all = ResourceFactory(uploaded=True, cohort=cohort, audience=Resource.Audience.ALL)
    url = reverse("cohorts:resource_file", args=[for_all.pk])
    assert sign_in("mentor").get(url).status_code == 200


def test_the_role_counts_in_the_resources_own_cohort_not_in_another(
    client, cohort, other_cohort, media_root
):
    from tests.factories import AcceptedFactory, AcceptedMentorFactory

    # A mentor here who is a mentee elsewhere is not a mentee of this cohort.
    person = AcceptedMentorFactory(cohort=cohort).member
    AcceptedFactory(cohort=other_cohort, member=person)
    for_mentees = ResourceFactory(uploaded=True, cohort=cohort, audience=Resource.Audience.MENTEE)
    client.force_login(person)
    response = client.get(reverse("cohorts:resource_file", args=[for_mentees.pk]))
    assert response.status_code == 404


def test_a_link_resource_has_no_download_even_for_staff(sign_in, cohort):
    link = ResourceFactory(cohort=cohort, url="https://example.org/guide")
    assert link.href == "https://example.org/guide"
    response = sign_in("staffer").get(reverse("cohorts:resource_file", args=[link.pk]))
    assert response.status_code == 404


def test_a_file_lost_from_storage_is_not_found_rather_than_an_error(sign_in, mentee_guide):
    mentee_guide.file.storage.delete(mentee_guide.file.name)
    response = sign_in("mentee").get(reverse("cohorts:resource_file", args=[mentee_guide.pk]))
    assert response.status_code == 404


def test_anonymous_visitors_are_not_sent_to_sign_in(client, mentee_guide):
    response = client.get(reverse("cohorts:resource_file", args=[mentee_guide.pk]))
    assert response.status_code == 404
    assert "Location" not in response


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 404),
        ("outsider", 404),
        ("applicant", 404),
        ("other_mentee", 404),
        ("mentor", 200),
        ("mentee", 200),
        ("staffer", 200),
    ],
)
def test_the_orientation_calendar_file_is_only_for_the_cohorts_participants(
    sign_in, cohort, persona, status
):
    response = sign_in(persona).get(reverse("cohorts:orientation_ics", args=[cohort.slug]))
    assert response.status_code == status


def test_a_cohort_without_an_orientation_has_no_calendar_file(sign_in, cohort):
    cohort.orientation_at = None
    cohort.save()
    response = sign_in("mentee").get(reverse("cohorts:orientation_ics", args=[cohort.slug]))
    assert response.status_code == 404


def test_the_orientation_calendar_file_parses_and_holds_the_orientation(sign_in, cohort):
    response = sign_in("mentee").get(reverse("cohorts:orientation_ics", args=[cohort.slug]))
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="fall-orientation.ics"'
    assert response["Cache-Control"] == "private, no-store"
    calendar = Calendar.from_ical(response.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"orientation-{cohort.pk}@")
    start = event.decoded("DTSTART")
    assert start.utcoffset() == timedelta(0)
    assert start == cohort.orientation_at
    assert event.decoded("DTEND") == cohort.orientation_at + timedelta(minutes=90)
    assert str(event["SUMMARY"]) == "Fall cohort: orientation"
    assert str(event["URL"]) == "https://meet.example.org/fall-orientation"
    description = str(event["DESCRIPTION"])
    assert "Meet the program staff.\nBring your questions." in description
    assert "https://meet.example.org/fall-orientation" in description


def test_the_calendar_file_keeps_its_uid_when_the_orientation_moves(sign_in, cohort):
    url = reverse("cohorts:orientation_ics", args=[cohort.slug])
    client = sign_in("mentee")
    before = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    cohort.orientation_at += timedelta(days=1)
    cohort.orientation_duration = 45
    cohort.save()
    after = Calendar.from_ical(client.get(url).content).walk("VEVENT")[0]
    assert after["UID"] == before["UID"]
    assert after.decoded("DTSTART") == before.decoded("DTSTART") + timedelta(days=1)
    assert after.decoded("DTEND") == after.decoded("DTSTART") + timedelta(minutes=45)


@pytest.fixture
def urls_as_in_development(settings):
    """The root URLconf rebuilt with DEBUG on: helpers such as static() only add their routes
    then, and tests otherwise run with DEBUG off."""
    original = settings.DEBUG
    module = importlib.import_module(settings.ROOT_URLCONF)
    settings.DEBUG = True
    importlib.reload(module)
    clear_url_caches()
    yield
    settings.DEBUG = original
    importlib.reload(module)
    clear_url_caches()


def test_no_url_serves_uploaded_files_not_even_to_staff(
    client, staff, mentee_guide, urls_as_in_development
):
    client.force_login(staff)
    name = mentee_guide.file.name
    for path in (f"/media/{name}", f"/{name}", f"/static/{name}", f"/var/media/{name}"):
        response = client.get(path)
        assert response.status_code == 404, path
    # The only way in is the checked download.
    response = client.get(reverse("cohorts:resource_file", args=[mentee_guide.pk]))
    assert b"".join(response.streaming_content) == GUIDE
