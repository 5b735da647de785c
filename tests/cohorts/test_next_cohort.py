"""Staff start the next cohort from one: dates a year on (editable), settings, resources and
surveys copied."""

from datetime import date, datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cohorts.models import Cohort, Resource
from outcomes.models import Question, Survey
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import PASSWORD, PILOT_ZONE, ActiveCohortFactory, ResourceFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pilot(media_root):
    cohort = ActiveCohortFactory(
        name="Pilot 2026",
        slug="pilot-2026",
        mentee_capacity=12,
        mentor_capacity=9,
        weight_region=55,
        min_match_score=42,
        max_mentees_per_mentor=3,
    )
    ResourceFactory(cohort=cohort, title="Pilot guide")
    ResourceFactory(cohort=cohort, title="Pilot handbook", uploaded=True)
    ResourceFactory(cohort=None, title="For every cohort")
    midpoint = Survey.objects.create(
        cohort=cohort, title="Midpoint", point="midpoint", opens_on=date(2027, 1, 5)
    )
    Question.objects.create(survey=midpoint, order=1, text="How is it going?", kind="scale")
    Question.objects.create(survey=midpoint, order=2, text="Anything else?", kind="text")
    Survey.objects.create(cohort=cohort, title="End", point="end")
    return cohort


def _url(cohort) -> str:
    return reverse("admin:cohorts_cohort_next", args=[cohort.pk])


def _post_data(response) -> dict:
    """What the page's form sends as it is shown: its initial values."""
    data = {}
    for name, value in response.context["form"].initial.items():
        if isinstance(value, datetime):
            local = value.astimezone(timezone.get_current_timezone())
            data[f"{name}_0"], data[f"{name}_1"] = f"{local:%Y-%m-%d}", f"{local:%H:%M:%S}"
        elif isinstance(value, date):
            data[name] = f"{value:%Y-%m-%d}"
        else:
            data[name] = value or ""
    return data


def test_the_action_opens_the_page_with_the_dates_a_year_on(client, pilot):
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:cohorts_cohort_changelist"),
        {"action": "start_next_cohort", "_selected_action": [pilot.pk]},
    )
    assert response.status_code == 302 and response.url == _url(pilot)
    page = client.get(response.url)
    assert page.status_code == 200
    initial = page.context["form"].initial
    assert initial["period_start"] == date(2027, 10, 1)
    assert initial["period_end"] == date(2028, 3, 31)
    assert initial["application_deadline"] == datetime(2027, 9, 9, 23, 59, tzinfo=PILOT_ZONE)
    assert_valid_html(page.content, context="start the next cohort")


def test_saving_copies_settings_resources_and_surveys(client, pilot, media_root):
    client.force_login(StaffFactory())
    data = _post_data(client.get(_url(pilot)))
    data.update(name="Cohort 2027", slug="cohort-2027", period_end="2028-04-30")
    response = client.post(_url(pilot), data)
    assert response.status_code == 302, response.context["form"].errors
    follower = Cohort.objects.get(slug="cohort-2027")
    assert follower.follows == pilot
    assert follower.period_end == date(2028, 4, 30)  # edited before saving
    assert follower.period_start == date(2027, 10, 1)
    assert (follower.mentee_capacity, follower.mentor_capacity) == (12, 9)
    assert (follower.weight_region, follower.min_match_score) == (55, 42)
    assert follower.max_mentees_per_mentor == 3

    copies = Resource.objects.filter(cohort=follower).order_by("title")
    assert [r.title for r in copies] == ["Pilot guide", "Pilot handbook"]
    original_file = Resource.objects.get(cohort=pilot, title="Pilot handbook").file
    copied_file = copies[1].file
    # A file of its own, with the same content: deleting one resource keeps the other's.
    assert copied_file.name != original_file.name
    assert copied_file.read() == b"%PDF-1.4 guide"
    assert Resource.objects.filter(cohort=None).count() == 1

    surveys = Survey.objects.filter(cohort=follower).order_by("title")
    assert [(s.title, s.opens_on) for s in surveys] == [
        ("End", None),
        ("Midpoint", date(2028, 1, 5)),
    ]
    assert list(
        Question.objects.filter(survey__cohort=follower).values_list("order", "text", "kind")
    ) == [(1, "How is it going?", "scale"), (2, "Anything else?", "text")]
    # The original keeps its own.
    assert Survey.objects.filter(cohort=pilot).count() == 2


def test_bad_dates_are_explained_next_to_the_field_and_nothing_is_saved(client, pilot):
    client.force_login(StaffFactory())
    data = _post_data(client.get(_url(pilot)))
    data.update(name="Cohort 2027", slug="cohort-2027", period_end="2027-09-01")
    response = client.post(_url(pilot), data)
    assert response.status_code == 200
    assert response.context["form"].errors["period_end"] == ["The period must end after it starts."]
    assert 'value="Cohort 2027"' in response.content.decode()
    assert not Cohort.objects.filter(slug="cohort-2027").exists()


def test_a_taken_address_is_refused(client, pilot):
    client.force_login(StaffFactory())
    data = _post_data(client.get(_url(pilot)))
    data.update(name="Again", slug="pilot-2026")
    response = client.post(_url(pilot), data)
    assert "slug" in response.context["form"].errors


def test_staff_without_the_add_permission_cannot_open_the_page(client, pilot):
    client.force_login(StaffFactory(is_superuser=False))
    assert client.get(_url(pilot)).status_code == 403


def test_the_page_reads_a_constant_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(StaffFactory())
    cohort = ActiveCohortFactory()
    with django_assert_max_num_queries(12):
        assert client.get(_url(cohort)).status_code == 200
    for _ in range(5):
        ResourceFactory(cohort=cohort)
    with django_assert_max_num_queries(12):
        assert client.get(_url(cohort)).status_code == 200


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_start_the_next_cohort_in_the_browser(page):
    cohort = ActiveCohortFactory(name="Pilot 2026", slug="pilot-2026")
    staff = StaffFactory()
    page.goto("/admin/")
    field(page, "Email").fill(staff.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(_url(cohort))
    expect(page.get_by_role("heading", name="Start the cohort after Pilot 2026")).to_be_visible()
    assert_accessible(page, context="start the next cohort")
    page.get_by_label("Name:").fill("Cohort 2027")
    page.get_by_label("Slug:").fill("cohort-2027")
    page.get_by_role("button", name="Start the next cohort").click()
    expect(page.get_by_text("Cohort 2027 is started from Pilot 2026")).to_be_visible()
    assert Cohort.objects.get(slug="cohort-2027").period_start == date(2027, 10, 1)
