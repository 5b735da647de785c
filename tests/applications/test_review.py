"""Staff read one application and decide it on the page admin's "View on site" opens."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail

from applications.models import Application
from tests.browser import assert_valid_html
from tests.factories import ApplicationFactory, CohortFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return CohortFactory(slug="fall", name="Fall cohort", mentee_capacity=1, mentor_capacity=1)


def _main(response) -> str:
    return response.content.decode().split("<main")[1].split("</main>")[0]


def test_admin_view_on_site_opens_the_staff_review_page(client, staff, cohort):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    change = client.get(f"/admin/applications/application/{application.pk}/change/")
    view_on_site = f"/applications/{application.pk}/review/"
    assert view_on_site in change.content.decode()
    assert client.get(view_on_site).status_code == 200


def test_the_review_page_shows_only_the_mentee_answers_of_a_mentee(client, staff, cohort):
    application = ApplicationFactory(cohort=cohort, goals="Learn oncology pharmacy.")
    client.force_login(staff)
    response = client.get(f"/applications/{application.pk}/review/")
    assert_valid_html(response.content, context="staff review")
    main = _main(response)
    assert "As a mentee" in main
    assert "Learn oncology pharmacy." in main
    assert "As a mentor" not in main
    assert "Mentees they can take" not in main
    for label in ("Accept", "Waitlist", "Decline"):
        assert f">{label}</button>" in main
    assert "0 of 1 mentee places are taken" in main


def test_the_review_page_shows_only_the_mentor_answers_of_a_mentor(client, staff, cohort):
    application = ApplicationFactory(
        cohort=cohort, role="mentor", goals="", offer="Twenty years in oncology."
    )
    client.force_login(staff)
    main = _main(client.get(f"/applications/{application.pk}/review/"))
    assert "As a mentor" in main
    assert "Twenty years in oncology." in main
    assert "As a mentee" not in main
    assert "Goals" not in main


def test_admin_change_page_shows_only_the_section_of_the_role_applied_for(client, staff, cohort):
    mentor = ApplicationFactory(cohort=cohort, role="mentor", goals="", offer="Advice")
    client.force_login(staff)
    html = client.get(f"/admin/applications/application/{mentor.pk}/change/").content.decode()
    assert "<h2" in html and ">Mentor</h2>" in html
    assert ">Mentee</h2>" not in html


def test_staff_accept_from_the_review_page_and_the_applicant_is_emailed(
    client, staff, cohort, django_capture_on_commit_callbacks
):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/applications/{application.pk}/review/", {"decision": "accepted"})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "accepted"
    assert application.decided_by == staff
    assert [m.to for m in mail.outbox] == [[application.member.email]]


def test_accepting_beyond_capacity_on_the_review_page_is_refused_with_the_reason(
    client, staff, cohort
):
    ApplicationFactory(cohort=cohort, status="accepted")
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    response = client.post(f"/applications/{application.pk}/review/", {"decision": "accepted"})
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Fall cohort has 1 mentee places and 1 are taken: accepting 1 more mentee would exceed "
        "it (0 left). Nothing was changed."
    ]
    application.refresh_from_db()
    assert application.status == "submitted"


def test_waitlisting_and_declining_from_the_review_page(client, staff, cohort):
    first, second = ApplicationFactory.create_batch(2, cohort=cohort)
    client.force_login(staff)
    client.post(f"/applications/{first.pk}/review/", {"decision": "waitlisted"})
    client.post(f"/applications/{second.pk}/review/", {"decision": "declined"})
    assert Application.objects.get(pk=first.pk).status == "waitlisted"
    assert Application.objects.get(pk=second.pk).status == "declined"


def test_a_draft_has_no_decision_buttons_and_cannot_be_decided(client, staff, cohort):
    draft = ApplicationFactory(cohort=cohort, status="draft", submitted_at=None)
    client.force_login(staff)
    main = _main(client.get(f"/applications/{draft.pk}/review/"))
    assert "nothing to decide yet" in main
    assert 'name="decision"' not in main
    client.post(f"/applications/{draft.pk}/review/", {"decision": "accepted"})
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_members_and_the_applicant_get_404_on_the_review_page(client, member, cohort):
    own = ApplicationFactory(cohort=cohort, member=member)
    client.force_login(member)
    assert client.get(f"/applications/{own.pk}/review/").status_code == 404
    assert (
        client.post(f"/applications/{own.pk}/review/", {"decision": "accepted"}).status_code == 404
    )
    own.refresh_from_db()
    assert own.status == "submitted"


def test_staff_who_may_only_read_applications_see_no_decision_buttons(client, cohort):
    reader = StaffFactory(is_superuser=False)
    reader.user_permissions.add(
        Permission.objects.get(codename="view_application", content_type__app_label="applications")
    )
    application = ApplicationFactory(cohort=cohort)
    client.force_login(reader)
    main = _main(client.get(f"/applications/{application.pk}/review/"))
    assert 'name="decision"' not in main
    assert client.post(
        f"/applications/{application.pk}/review/", {"decision": "accepted"}
    ).status_code == (404)
    application.refresh_from_db()
    assert application.status == "submitted"


def test_the_review_page_runs_a_constant_number_of_queries(
    client, staff, cohort, django_assert_max_num_queries
):
    application = ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    with django_assert_max_num_queries(12):
        assert client.get(f"/applications/{application.pk}/review/").status_code == 200
