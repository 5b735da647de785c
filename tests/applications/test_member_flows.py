"""No dead ends for members: closed cohorts, reopening a withdrawal, saving a submission."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.utils import timezone

from applications.models import Application
from tests.applications.posts import MENTEE_POST
from tests.browser import assert_valid_html
from tests.factories import ApplicationFactory, CohortFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed():
    """Applications closed ten days ago."""
    return CohortFactory(
        slug="fall", name="Fall cohort", applications_open_at=timezone.now() - timedelta(days=40)
    )


def _main(response) -> str:
    return response.content.decode().split("<main")[1].split("</main>")[0]


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# A closed cohort ------------------------------------------------------------------------------


def test_a_closed_cohorts_apply_page_has_no_form_and_says_what_the_member_can_do(
    client, member, closed
):
    CohortFactory(
        slug="spring",
        name="Spring cohort",
        applications_open_at=timezone.now() + timedelta(days=40),
    )
    client.force_login(member)
    response = client.get("/cohorts/fall/apply/mentee/")
    main = _main(response)
    assert response.status_code == 200
    assert "Applications to Fall cohort are closed" in main
    assert "<form" not in main
    assert "Submit application" not in main
    assert "you can change" not in main.lower()
    assert "You did not apply to this cohort." in main
    assert 'href="/applications/"' in main
    assert "Spring cohort" in main
    assert "opens for applications on" in main


def test_a_closed_cohort_links_to_a_cohort_open_for_applications(client, member, closed):
    CohortFactory(slug="winter", name="Winter cohort")
    client.force_login(member)
    main = _main(client.get("/cohorts/fall/apply/mentor/"))
    assert 'href="/cohorts/winter/apply/mentor/"' in main


def test_posting_to_a_closed_cohort_without_a_draft_never_claims_a_draft_was_kept(
    client, member, closed
):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentee/", {**MENTEE_POST, "goals": "Typed late", "action": "submit"}
    )
    assert_valid_html(response.content, context="apply after the deadline")
    main = _main(response)
    assert "Applications for Fall cohort closed on" in main
    assert "Nothing was saved." in main
    assert "draft" not in main.lower()
    assert "Typed late" in main  # shown back, read only
    assert "Submit application" not in main
    assert not Application.objects.exists()


def test_posting_to_a_closed_cohort_with_a_submission_says_it_is_kept_as_submitted(
    client, member, closed
):
    ApplicationFactory(member=member, cohort=closed, goals="As submitted")
    client.force_login(member)
    main = _main(
        client.post(
            "/cohorts/fall/apply/mentee/", {**MENTEE_POST, "goals": "Late", "action": "draft"}
        )
    )
    assert "Your application is kept as it was (submitted); these changes were not saved." in main
    assert "draft is kept" not in main
    assert Application.objects.get().goals == "As submitted"


def test_an_upcoming_cohorts_apply_page_says_when_applications_open(client, member):
    CohortFactory(
        slug="later", name="Later cohort", applications_open_at=timezone.now() + timedelta(days=3)
    )
    client.force_login(member)
    main = _main(client.get("/cohorts/later/apply/mentee/"))
    assert "Applications to Later cohort are not open yet" in main
    assert "<form" not in main


# Reopening a withdrawn application ------------------------------------------------------------


def test_a_member_reopens_a_withdrawn_application_as_a_draft_and_submits_it_again(
    client, member, cohort, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(member=member, cohort=cohort, status="withdrawn")
    client.force_login(member)
    assert "Reopen as a draft" in client.get(application.get_absolute_url()).content.decode()

    response = client.post(f"/applications/{application.pk}/reopen/")
    assert response.status_code == 302
    assert response["Location"] == "/cohorts/fall/apply/mentee/"
    application.refresh_from_db()
    assert application.status == "draft"
    assert application.submitted_at is None
    assert "Prepare for residency." in client.get(response["Location"]).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/cohorts/fall/apply/mentee/", {**MENTEE_POST, "action": "submit"})
    # Still the one application of this member to this cohort, submitted again, with a receipt.
    assert Application.objects.filter(member=member, cohort=cohort).count() == 1
    application.refresh_from_db()
    assert application.status == "submitted"
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_a_withdrawn_application_cannot_be_reopened_after_the_deadline(client, member, closed):
    application = ApplicationFactory(member=member, cohort=closed, status="withdrawn")
    client.force_login(member)
    assert "Reopen" not in client.get(application.get_absolute_url()).content.decode()
    response = client.post(f"/applications/{application.pk}/reopen/")
    assert "can no longer be reopened" in _messages(response)[0]
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_only_a_withdrawn_application_can_be_reopened_and_only_by_its_member(
    client, member, outsider, cohort
):
    submitted = ApplicationFactory(member=member, cohort=cohort)
    theirs = ApplicationFactory(member=outsider, cohort=cohort, status="withdrawn")
    client.force_login(member)
    response = client.post(f"/applications/{submitted.pk}/reopen/")
    assert "nothing to reopen" in _messages(response)[0]
    assert client.post(f"/applications/{theirs.pk}/reopen/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "withdrawn"


# Saving a submitted application ---------------------------------------------------------------


def test_saving_a_submitted_application_says_the_changes_are_saved_and_it_stays_submitted(
    client, member, cohort
):
    application = ApplicationFactory(member=member, cohort=cohort)
    client.force_login(member)
    page = _main(client.get("/cohorts/fall/apply/mentee/"))
    assert "Save draft" not in page
    assert "Save changes" in page

    # A stale tab's "Save draft" does the same.
    response = client.post(
        "/cohorts/fall/apply/mentee/", {**MENTEE_POST, "goals": "Sharper goals", "action": "draft"}
    )
    assert response.status_code == 302
    assert _messages(response) == [
        "Your changes are saved to your submitted application; it stays submitted. You can "
        "change it until applications close."
    ]
    application.refresh_from_db()
    assert application.status == "submitted"
    assert application.goals == "Sharper goals"


def test_a_submitted_application_cannot_be_emptied_by_saving_it(client, member, cohort):
    ApplicationFactory(member=member, cohort=cohort, goals="Kept goals")
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentee/", {**MENTEE_POST, "goals": "", "action": "draft"}
    )
    assert response.status_code == 200
    assert "Before you submit, please add the goals you want to achieve" in _main(response)
    assert Application.objects.get().goals == "Kept goals"
