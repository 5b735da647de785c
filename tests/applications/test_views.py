from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from applications.models import Application, Membership, PracticeArea
from tests.applications.posts import MENTEE_POST
from tests.factories import ApplicationFactory, CohortFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in_to_apply(client, cohort):
    response = client.get("/cohorts/fall/apply/mentee/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/cohorts/fall/apply/mentee/")


def test_a_non_member_is_told_why_they_cannot_apply_and_whom_to_contact(client, non_member, cohort):
    client.force_login(non_member)
    response = client.get("/cohorts/fall/apply/mentee/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "open to association members only" in html
    assert "memberrelations@example.org" in html
    assert 'href="/membership/?next=' in html
    assert "<form" not in html.split("<main")[1].split("</main>")[0].replace(
        'action="/accounts/logout/"', ""
    )


def test_a_non_member_posting_the_form_anyway_is_refused(client, non_member, cohort):
    client.force_login(non_member)
    response = client.post("/cohorts/fall/apply/mentee/", {**MENTEE_POST, "action": "submit"})
    assert response.status_code == 200
    assert not Application.objects.exists()


def test_a_member_links_their_membership_by_number_and_last_name(client, non_member):
    MembershipFactory(member_number="A-777", last_name="Nonmember")
    client.force_login(non_member)
    response = client.post(
        "/membership/",
        {"member_number": " a-777 ", "last_name": "NONMEMBER", "next": "/applications/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/applications/"
    assert Membership.objects.get(member_number="A-777").user == non_member


def test_a_wrong_membership_number_is_explained_and_kept_in_the_form(client, non_member):
    client.force_login(non_member)
    response = client.post("/membership/", {"member_number": "NOPE-1", "last_name": "Nonmember"})
    html = response.content.decode()
    assert "We could not find that member number with that last name." in html
    assert 'value="NOPE-1"' in html


def test_the_membership_page_refuses_an_offsite_next_url(client, non_member):
    MembershipFactory(member_number="A-1", last_name="Nonmember")
    client.force_login(non_member)
    response = client.post(
        "/membership/",
        {"member_number": "A-1", "last_name": "Nonmember", "next": "https://evil.test/"},
    )
    assert response["Location"] == "/profile/"


def test_a_member_saves_a_draft_then_submits_it(
    client, member, cohort, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentee/", {"goals": "Half a thought", "action": "draft"}
    )
    assert response.status_code == 302
    draft = Application.objects.get()
    assert draft.status == "draft"
    assert draft.goals == "Half a thought"

    # The draft comes back in the form.
    assert "Half a thought" in client.get("/cohorts/fall/apply/mentee/").content.decode()

    area = PracticeArea.objects.first()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cohorts/fall/apply/mentee/",
            {**MENTEE_POST, "desired_practice_areas": [area.pk], "action": "submit"},
        )
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{draft.pk}/"
    draft.refresh_from_db()
    assert draft.status == "submitted"
    assert list(draft.desired_practice_areas.all()) == [area]
    assert len(mail.outbox) == 1


def test_submitting_an_incomplete_application_keeps_what_was_typed(client, member, cohort):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentee/",
        {"goals": "", "availability": "Mornings only", "action": "submit"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Write the goals you want to achieve with a mentor." in html
    assert "Mornings only" in html
    assert not Application.objects.exists()


def test_a_stale_form_posted_after_the_deadline_is_refused_and_the_draft_kept(
    client, member, cohort
):
    cohort.application_deadline = timezone.now() + timedelta(hours=1)
    cohort.save()
    ApplicationFactory(
        member=member, cohort=cohort, status="draft", submitted_at=None, goals="Saved"
    )
    client.force_login(member)
    with time_machine.travel(cohort.application_deadline + timedelta(minutes=1)):
        response = client.post(
            "/cohorts/fall/apply/mentee/",
            {**MENTEE_POST, "goals": "Typed late", "action": "submit"},
        )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Applications for Fall cohort closed on" in html
    assert "Typed late" in html  # nothing the member typed is lost
    assert Application.objects.get().goals == "Saved"


def test_a_mentor_cannot_post_more_mentees_than_allowed(client, member, cohort):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentor/",
        {"offer": "Advice", "mentee_capacity": "9", "action": "draft"},
    )
    assert response.status_code == 200
    assert (
        "Select a valid choice" in response.content.decode()
        or "Choose between 1 and 2" in response.content.decode()
    )
    assert not Application.objects.exists()


def test_an_unknown_role_is_not_found(client, member, cohort):
    client.force_login(member)
    assert client.get("/cohorts/fall/apply/boss/").status_code == 404


def test_members_see_only_their_own_applications(client, member, outsider, cohort):
    mine = ApplicationFactory(member=member, cohort=cohort)
    theirs = ApplicationFactory(member=outsider, cohort=cohort)
    client.force_login(member)
    assert client.get(f"/applications/{mine.pk}/").status_code == 200
    assert client.get(f"/applications/{theirs.pk}/").status_code == 404
    assert client.get(f"/applications/{theirs.pk}/withdraw/").status_code == 404
    assert client.post(f"/applications/{theirs.pk}/withdraw/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "submitted"
    listing = client.get("/applications/").content.decode()
    assert f"/applications/{mine.pk}/" in listing
    assert f"/applications/{theirs.pk}/" not in listing


def test_staff_have_no_member_view_of_others_applications(client, staff, member, cohort):
    application = ApplicationFactory(member=member, cohort=cohort)
    client.force_login(staff)
    assert client.get(f"/applications/{application.pk}/").status_code == 404


def test_the_status_page_explains_what_happens_next(client, member, cohort):
    application = ApplicationFactory(member=member, cohort=cohort, status="waitlisted")
    client.force_login(member)
    html = client.get(f"/applications/{application.pk}/").content.decode()
    assert "You are on the waiting list" in html
    assert cohort.match_notification_date.strftime("%B") in html


def test_a_member_withdraws_their_application(client, member, cohort):
    application = ApplicationFactory(member=member, cohort=cohort)
    client.force_login(member)
    response = client.post(f"/applications/{application.pk}/withdraw/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_deadlines_show_in_the_members_own_time_zone(client, member, cohort):
    member.profile.time_zone = "America/Los_Angeles"
    member.profile.save()
    client.force_login(member)
    html = client.get("/cohorts/fall/apply/mentee/").content.decode()
    assert "PST" in html or "PDT" in html


def test_the_profile_page_saves_and_fills_the_time_zone_from_the_state(client, member):
    from applications.models import CareerStage, Location

    client.force_login(member)
    texas = Location.objects.get(code="TX")
    response = client.post(
        "/profile/",
        {"location": texas.pk, "time_zone": "", "career_stage": CareerStage.objects.first().pk},
    )
    assert response.status_code == 302
    member.profile.refresh_from_db()
    assert member.profile.time_zone == "America/Chicago"


def test_my_applications_lists_200_in_constant_queries(
    client, member, django_assert_max_num_queries
):
    for n in range(200):
        ApplicationFactory(member=member, cohort=CohortFactory(slug=f"c{n}"))
    client.force_login(member)
    with django_assert_max_num_queries(10):
        response = client.get("/applications/")
    assert response.content.decode().count('<a href="/applications/') == 200


def test_the_members_time_zone_does_not_outlive_their_request(client, member):
    from django.utils import timezone as tz

    member.profile.time_zone = "Pacific/Honolulu"
    member.profile.save()
    client.force_login(member)
    client.get("/applications/")
    assert tz.get_current_timezone_name() != "Pacific/Honolulu"
