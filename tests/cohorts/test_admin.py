"""Staff keep the resource library and the cohort's orientation in admin."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cohorts.models import RESOURCE_FILE_MAX_BYTES, Cohort, Resource
from tests.browser import assert_valid_html
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ResourceFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/cohorts/resource/add/"


@pytest.fixture
def admin_client(client):
    client.force_login(StaffFactory())
    return client


def _form(**changes) -> dict:
    data = {
        "title": "Setting goals",
        "description": "How to write goals your mentor can help with.",
        "url": "",
        "audience": "mentee",
        "phase": "early",
        "cohort": "",
        "order": "0",
    }
    data.update(changes)
    return data


def _stored_files(media_root) -> list:
    return sorted(p for p in media_root.rglob("*") if p.is_file()) if media_root.exists() else []


def test_staff_add_a_link_resource_for_every_cohort(admin_client, media_root):
    response = admin_client.post(ADD_URL, _form(url="https://example.org/goals"))
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert (resource.url, resource.file.name, resource.cohort) == (
        "https://example.org/goals",
        "",
        None,
    )
    assert (resource.audience, resource.phase) == ("mentee", "early")
    assert _stored_files(media_root) == []


def test_staff_upload_a_file_resource_for_one_cohort(admin_client, media_root, cohort):
    upload = SimpleUploadedFile("Mentor handbook.pdf", b"%PDF-1.4 handbook")
    response = admin_client.post(ADD_URL, _form(file=upload, cohort=cohort.pk, audience="mentor"))
    assert response.status_code == 302
    resource = Resource.objects.get()
    assert resource.cohort == cohort
    assert resource.original_filename == "Mentor handbook.pdf"
    assert resource.file.name.startswith("resources/")
    assert "handbook" not in resource.file.name
    assert _stored_files(media_root) == [media_root / resource.file.name]
    assert (media_root / resource.file.name).read_bytes() == b"%PDF-1.4 handbook"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        (
            {"url": "https://example.org/goals", "file": "pdf"},
            "file",
            "Give either a link or a file, not both: remove one of them.",
        ),
        ({}, "url", "Give a link or upload a file."),
        ({"file": "exe"}, "file", "File extension “exe” is not allowed."),
        ({"file": "big"}, "file", "This file is larger than 20 MB"),
        ({"url": "not a link"}, "url", "Enter a valid URL."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_nothing_is_saved(
    admin_client, media_root, changes, field, message
):
    files = {
        "pdf": SimpleUploadedFile("guide.pdf", b"%PDF-1.4"),
        "exe": SimpleUploadedFile("setup.exe", b"MZ"),
        "big": SimpleUploadedFile("huge.pdf", b"%" * (RESOURCE_FILE_MAX_BYTES + 1)),
    }
    if "file" in changes:
        changes["file"] = files[changes["file"]]
    response = admin_client.post(ADD_URL, _form(**changes))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any(message in error for error in errors[field])
    assert message in response.content.decode()
    # What staff typed is still there.
    assert 'value="Setting goals"' in response.content.decode()
    assert not Resource.objects.exists()
    assert _stored_files(media_root) == []


def test_the_form_with_errors_is_valid_html(admin_client, media_root):
    response = admin_client.post(ADD_URL, _form())
    assert_valid_html(response.content, context="resource add form with errors")


def test_replacing_a_file_removes_the_old_one(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(uploaded=True, title="Setting goals")
    old = media_root / resource.file.name
    assert old.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/cohorts/resource/{resource.pk}/change/",
            _form(file=SimpleUploadedFile("Goals v2.docx", b"new version")),
        )
    assert response.status_code == 302
    resource.refresh_from_db()
    assert resource.original_filename == "Goals v2.docx"
    assert not old.exists()
    assert _stored_files(media_root) == [media_root / resource.file.name]


def test_switching_a_file_resource_to_a_link_removes_the_file(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(uploaded=True, title="Setting goals")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/admin/cohorts/resource/{resource.pk}/change/",
            _form(url="https://example.org/goals", **{"file-clear": "on"}),
        )
    resource.refresh_from_db()
    assert (resource.url, resource.file.name, resource.original_filename) == (
        "https://example.org/goals",
        "",
        "",
    )
    assert _stored_files(media_root) == []


def test_changing_other_fields_keeps_the_file(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(uploaded=True, title="Setting goals")
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            f"/admin/cohorts/resource/{resource.pk}/change/", _form(title="Goals, revised")
        )
    resource.refresh_from_db()
    assert resource.title == "Goals, revised"
    assert (media_root / resource.file.name).exists()
    assert resource.original_filename == "Mentee guide.pdf"


def test_deleting_a_resource_removes_its_file(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    resource = ResourceFactory(uploaded=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/admin/cohorts/resource/{resource.pk}/delete/", {"post": "yes"}
        )
    assert response.status_code == 302
    assert not Resource.objects.exists()
    assert _stored_files(media_root) == []


def test_deleting_several_resources_at_once_removes_their_files(
    admin_client, media_root, django_capture_on_commit_callbacks
):
    resources = [ResourceFactory(uploaded=True), ResourceFactory(uploaded=True), ResourceFactory()]
    assert len(_stored_files(media_root)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/admin/cohorts/resource/",
            {
                "action": "delete_selected",
                "_selected_action": [r.pk for r in resources],
                "post": "yes",
            },
        )
    assert not Resource.objects.exists()
    assert _stored_files(media_root) == []


def test_the_change_form_links_the_file_to_the_checked_download(admin_client, media_root):
    resource = ResourceFactory(uploaded=True, original_filename="Mentee guide.pdf")
    response = admin_client.get(f"/admin/cohorts/resource/{resource.pk}/change/")
    content = response.content.decode()
    download = reverse("cohorts:resource_file", args=[resource.pk])
    assert f'<a href="{download}">Mentee guide.pdf</a>' in content
    assert resource.file.name not in content
    assert_valid_html(response.content, context="resource change form")


def test_the_list_shows_every_cohort_and_the_kind_in_constant_queries(
    admin_client, media_root, cohort, django_assert_max_num_queries
):
    ResourceFactory(title="Program handbook", cohort=None, uploaded=True)
    ResourceFactory(title="Fall kickoff", cohort=cohort)
    with django_assert_max_num_queries(20) as few:
        response = admin_client.get("/admin/cohorts/resource/")
    content = response.content.decode()
    assert "Every cohort" in content
    assert "Fall cohort" in content
    assert ">File<" in content and ">Link<" in content
    assert_valid_html(response.content, context="resource list")
    for number in range(15):
        ResourceFactory(cohort=cohort if number % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get("/admin/cohorts/resource/")
    assert response.content.decode().count('name="form-') >= 17


def test_the_list_filters_by_every_cohort(admin_client, cohort):
    ResourceFactory(title="Program handbook", cohort=None)
    ResourceFactory(title="Fall kickoff", cohort=cohort)
    response = admin_client.get("/admin/cohorts/resource/?cohort__isnull=True")
    content = response.content.decode()
    assert "Program handbook" in content
    assert "Fall kickoff" not in content


def test_staff_reorder_resources_from_the_list(admin_client):
    first, second = ResourceFactory(title="First"), ResourceFactory(title="Second")
    response = admin_client.post(
        "/admin/cohorts/resource/",
        {
            "form-TOTAL_FORMS": "2",
            "form-INITIAL_FORMS": "2",
            "form-0-id": second.pk,
            "form-0-order": "0",
            "form-1-id": first.pk,
            "form-1-order": "5",
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    assert [r.title for r in Resource.objects.all()] == ["Second", "First"]


def _cohort_form(cohort: Cohort, **changes) -> dict:
    def split(moment):
        local = timezone.localtime(moment)
        return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")

    data = {
        "name": cohort.name,
        "slug": cohort.slug,
        "match_notification_date": cohort.match_notification_date.isoformat(),
        "period_start": cohort.period_start.isoformat(),
        "period_end": cohort.period_end.isoformat(),
        "min_total_hours": "6",
        "min_monthly_hours": "1",
        "mentee_capacity": "20",
        "mentor_capacity": "20",
        "default_mentees_per_mentor": "1",
        "max_mentees_per_mentor": "2",
        "weight_background": "40",
        "weight_region": "20",
        "weight_interests": "30",
        "weight_shared_background": "10",
        "min_match_score": "30",
        "matching_objective": "total",
        "orientation_duration": "60",
        "orientation_link": "",
        "orientation_details": "",
    }
    for name in ("applications_open_at", "application_deadline", "orientation_at"):
        data[f"{name}_0"], data[f"{name}_1"] = split(getattr(cohort, name))
    data.update(changes)
    return data


def test_staff_set_the_orientation_in_the_cohort_form(admin_client, cohort):
    url = f"/admin/cohorts/cohort/{cohort.pk}/change/"
    page = admin_client.get(url)
    assert "<h2" in page.content.decode() and "Orientation</h2>" in page.content.decode()
    response = admin_client.post(
        url,
        _cohort_form(
            cohort,
            orientation_duration="120",
            orientation_link="https://meet.example.org/kickoff",
            orientation_details="Agenda: welcome, expectations, Q&A.",
        ),
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    cohort.refresh_from_db()
    assert cohort.orientation_duration == 120
    assert cohort.orientation_link == "https://meet.example.org/kickoff"
    assert cohort.orientation_details == "Agenda: welcome, expectations, Q&A."


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"orientation_duration": "10"}, "orientation_duration", "greater than or equal to 15"),
        ({"orientation_duration": "500"}, "orientation_duration", "less than or equal to 480"),
        ({"orientation_link": "zoom meeting"}, "orientation_link", "Enter a valid URL."),
    ],
)
def test_a_bad_orientation_is_explained_next_to_the_field(
    admin_client, cohort, changes, field, message
):
    response = admin_client.post(
        f"/admin/cohorts/cohort/{cohort.pk}/change/", _cohort_form(cohort, **changes)
    )
    assert response.status_code == 200
    assert any(message in error for error in response.context["adminform"].form.errors[field])
    cohort.refresh_from_db()
    assert cohort.orientation_duration == 90


# --- Capacity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "label"), [("mentee_capacity", "mentee"), ("mentor_capacity", "mentor")]
)
def test_places_cannot_be_lowered_below_the_people_already_accepted(
    admin_client, cohort, field, label
):
    for _ in range(3):
        (AcceptedMentorFactory if label == "mentor" else AcceptedFactory)(cohort=cohort)
    url = f"/admin/cohorts/cohort/{cohort.pk}/change/"

    response = admin_client.post(url, _cohort_form(cohort, **{field: "2"}))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [
        f"3 {label}s are already accepted, so there cannot be fewer than 3 {label} places "
        f"(you entered 2). Waitlist or decline {label}s first."
    ]
    cohort.refresh_from_db()
    assert getattr(cohort, field) == 20
    assert_valid_html(response.content, context="cohort form, places too few")

    # As many places as people accepted is fine.
    response = admin_client.post(url, _cohort_form(cohort, **{field: "3"}))
    assert response.status_code == 302
    cohort.refresh_from_db()
    assert getattr(cohort, field) == 3
