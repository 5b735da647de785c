"""The resource library: what a resource is, who sees which, and how members see them."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse

from cohorts.models import RESOURCE_FILE_MAX_BYTES, Resource
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

Audience, Phase = Resource.Audience, Resource.Phase


def _pdf(name: str = "guide.pdf", size: int = 100) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%" + b"x" * (size - 1), content_type="application/pdf")


def test_a_resource_is_a_link_or_a_file_not_both(media_root):
    resource = Resource(title="Guide", url="https://example.org/guide", file=_pdf())
    with pytest.raises(ValidationError) as caught:
        resource.full_clean()
    assert caught.value.message_dict["file"] == [
        "Give either a link or a file, not both: remove one of them."
    ]


def test_a_resource_needs_a_link_or_a_file():
    with pytest.raises(ValidationError) as caught:
        Resource(title="Guide").full_clean()
    assert caught.value.message_dict["url"] == ["Give a link or upload a file."]


def test_a_link_alone_or_a_file_alone_is_valid():
    Resource(title="Guide", url="https://example.org/guide").full_clean()
    Resource(title="Guide", file=_pdf()).full_clean()


def test_the_database_refuses_a_resource_with_both_or_neither(media_root):
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(title="Neither")
    with pytest.raises(IntegrityError), transaction.atomic():
        Resource.objects.create(title="Both", url="https://example.org/", file=_pdf())


@pytest.mark.parametrize("name", ["script.exe", "page.html", "photo.svg", "archive.zip", "noext"])
def test_only_documents_and_images_may_be_uploaded(name):
    upload = SimpleUploadedFile(name, b"data")
    with pytest.raises(ValidationError) as caught:
        Resource(title="Guide", file=upload).full_clean()
    [message] = caught.value.message_dict["file"]
    assert "is not allowed" in message
    assert "pdf, doc, docx, ppt, pptx, xls, xlsx, txt, png, jpg, jpeg" in message


@pytest.mark.parametrize("name", ["Guide.PDF", "slides.pptx", "notes.txt", "chart.JPEG"])
def test_the_allowed_types_are_accepted_whatever_the_case(name):
    Resource(title="Guide", file=SimpleUploadedFile(name, b"data")).full_clean()


def test_a_file_over_20_mb_is_refused_with_the_limit_named():
    too_big = _pdf(size=RESOURCE_FILE_MAX_BYTES + 1)
    with pytest.raises(ValidationError) as caught:
        Resource(title="Guide", file=too_big).full_clean()
    assert caught.value.message_dict["file"] == [
        "This file is larger than 20 MB, the most a resource file can be: upload a smaller "
        "file, or give a link to it instead."
    ]
    Resource(title="Guide", file=_pdf(size=RESOURCE_FILE_MAX_BYTES)).full_clean()


def test_an_uploaded_file_gets_an_unguessable_name_and_keeps_its_own_for_members(media_root):
    first = ResourceFactory(uploaded=True, file__filename="Mentor handbook.pdf")
    second = ResourceFactory(uploaded=True, file__filename="Mentor handbook.pdf")
    assert first.file.name.startswith("resources/")
    assert first.file.name.endswith(".pdf")
    assert "handbook" not in first.file.name
    assert first.file.name != second.file.name
    assert len(first.file.name) > len("resources/.pdf") + 30
    assert (media_root / first.file.name).read_bytes() == b"%PDF-1.4 guide"


def test_members_follow_a_link_to_the_page_or_to_the_checked_download(media_root):
    link = ResourceFactory(url="https://example.org/guide")
    upload = ResourceFactory(uploaded=True, original_filename="Mentee guide.pdf")
    assert link.href == "https://example.org/guide"
    assert upload.href == reverse("cohorts:resource_file", args=[upload.pk])
    assert (link.kind_hint, upload.kind_hint) == ("external link", "PDF download")


def test_for_participant_gives_the_cohorts_and_every_cohorts_resources_for_the_role(
    cohort, other_cohort
):
    ours_for_mentees = ResourceFactory(cohort=cohort, audience=Audience.MENTEE)
    ours_for_all = ResourceFactory(cohort=cohort, audience=Audience.ALL)
    everyones_for_mentees = ResourceFactory(cohort=None, audience=Audience.MENTEE)
    ResourceFactory(cohort=cohort, audience=Audience.MENTOR)
    ResourceFactory(cohort=None, audience=Audience.MENTOR)
    ResourceFactory(cohort=other_cohort, audience=Audience.MENTEE)
    ResourceFactory(cohort=other_cohort, audience=Audience.ALL)

    mentee_sees = set(Resource.objects.for_participant(cohort=cohort, role="mentee"))
    assert mentee_sees == {ours_for_mentees, ours_for_all, everyones_for_mentees}
    mentor_sees = Resource.objects.for_participant(cohort=cohort, role="mentor")
    assert ours_for_all in mentor_sees
    assert ours_for_mentees not in mentor_sees
    assert mentor_sees.count() == 3


def test_for_participant_refuses_a_role_that_is_not_mentor_or_mentee(cohort):
    with pytest.raises(ValueError, match="role must be"):
        Resource.objects.for_participant(cohort=cohort, role="all")


def test_resources_come_in_program_order_then_by_order_then_title(cohort):
    made = [
        ResourceFactory(cohort=cohort, phase=Phase.CLOSING, order=0, title="Wrap up"),
        ResourceFactory(cohort=None, phase=Phase.MIDDLE, order=0, title="Midpoint check"),
        ResourceFactory(cohort=cohort, phase=Phase.EARLY, order=2, title="A late early one"),
        ResourceFactory(cohort=cohort, phase=Phase.EARLY, order=1, title="Z first early one"),
        ResourceFactory(cohort=cohort, phase=Phase.ORIENTATION, order=0, title="Welcome"),
        ResourceFactory(cohort=cohort, phase=Phase.EARLY, order=1, title="B first early one"),
    ]
    titles = [r.title for r in Resource.objects.for_participant(cohort=cohort, role="mentee")]
    assert titles == [
        "Welcome",
        "B first early one",
        "Z first early one",
        "A late early one",
        "Midpoint check",
        "Wrap up",
    ]
    assert len(titles) == len(made)


def _render_resources(resources) -> str:
    return render_to_string("cohorts/_resources.html", {"resources": resources})


def test_the_resource_list_has_a_heading_per_phase_in_program_order(
    cohort, media_root, django_assert_num_queries
):
    ResourceFactory(cohort=cohort, phase=Phase.CLOSING, title="Closing reflection")
    ResourceFactory(
        cohort=None,
        phase=Phase.ORIENTATION,
        title="Program handbook",
        uploaded=True,
        original_filename="handbook.pdf",
    )
    ResourceFactory(
        cohort=cohort,
        phase=Phase.EARLY,
        title="Setting goals",
        url="https://example.org/goals",
        description="Write three goals.",
    )
    resources = list(Resource.objects.for_participant(cohort=cohort, role="mentee"))
    with django_assert_num_queries(0):
        html = _render_resources(resources)
    headings = ["<h3", ">Orientation</h3>", ">Early months</h3>", ">Closing</h3>"]
    positions = [html.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert html.count("<h3") == 3
    assert "Middle months" not in html
    assert '<a href="https://example.org/goals" rel="noopener noreferrer">Setting goals</a>' in html
    assert "Write three goals." in html
    assert "(external link)" in html
    handbook = Resource.objects.get(title="Program handbook")
    assert f'<a href="{handbook.href}">Program handbook</a>' in html
    assert "(PDF download)" in html


def test_an_empty_resource_list_says_so():
    assert "No resources yet." in _render_resources([])
    assert "No resources yet." not in _render_resources([ResourceFactory()])
