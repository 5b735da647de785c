import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.models import Application, BackgroundGroup, Membership
from tests.factories import ApplicationFactory, CohortFactory, MemberFactory, StaffFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/applications/application/"


@pytest.fixture
def cohort():
    return CohortFactory(slug="fall", name="Fall cohort", mentee_capacity=2, mentor_capacity=5)


def _action(client, action, applications, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [a.pk for a in applications], **extra},
        follow=True,
    )


def test_staff_accept_in_bulk_and_see_the_counter_move(
    client, staff, cohort, django_capture_on_commit_callbacks
):
    applications = ApplicationFactory.create_batch(2, cohort=cohort)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _action(client, "accept", applications)
    html = response.content.decode()
    assert "2 application(s) accepted; each applicant is being emailed." in html
    assert "2 of 2" in html  # mentees accepted of capacity
    assert len(mail.outbox) == 2


def test_a_bulk_accept_over_capacity_is_refused_with_the_numbers(client, staff, cohort):
    applications = ApplicationFactory.create_batch(3, cohort=cohort)
    client.force_login(staff)
    html = _action(client, "accept", applications).content.decode()
    assert "accepting 3 more mentees would exceed it (2 left). Nothing was changed." in html
    assert not Application.objects.filter(status="accepted").exists()


def test_waitlist_and_decline_actions(client, staff, cohort):
    first, second = ApplicationFactory.create_batch(2, cohort=cohort)
    client.force_login(staff)
    _action(client, "waitlist", [first])
    _action(client, "decline", [second])
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("waitlisted", "declined")
    assert first.decided_by == staff


def test_the_changelist_filters_by_cohort_role_status_and_region(client, staff, cohort):
    from applications.models import Location

    colorado = ApplicationFactory(cohort=cohort)
    texan = MemberFactory(profile__location=Location.objects.get(code="TX"))
    texas = ApplicationFactory(cohort=cohort, member=texan, role="mentor")
    client.force_login(staff)
    response = client.get(CHANGELIST, {"region": "west", "cohort__id__exact": cohort.pk})
    listed = {a.pk for a in response.context["cl"].result_list}
    assert listed == {colorado.pk}
    response = client.get(CHANGELIST, {"role__exact": "mentor"})
    assert {a.pk for a in response.context["cl"].result_list} == {texas.pk}


def test_the_changelist_of_200_applications_runs_in_constant_queries(
    client, staff, django_assert_max_num_queries
):
    cohort = CohortFactory()
    for _ in range(200):
        ApplicationFactory(cohort=cohort)
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(CHANGELIST, {"all": ""})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 200


def test_the_application_detail_page_reads_well(client, staff, cohort):
    application = ApplicationFactory(cohort=cohort, goals="Become a clinical specialist")
    client.force_login(staff)
    html = client.get(f"{CHANGELIST}{application.pk}/change/").content.decode()
    assert "Become a clinical specialist" in html
    assert "Colorado" in html or "Profile when submitted" in html


def test_csv_export_has_a_row_per_selected_application(client, staff, cohort):
    applications = ApplicationFactory.create_batch(3, cohort=cohort)
    client.force_login(staff)
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [a.pk for a in applications]}
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert len(rows) == 3
    assert {r["email"] for r in rows} == {a.member.email for a in applications}
    assert rows[0]["state"] == "CO"
    assert rows[0]["region"] == "West"


def test_csv_export_defuses_a_name_a_spreadsheet_would_run_as_a_formula(client, staff, cohort):
    application = ApplicationFactory(cohort=cohort)
    application.member.first_name = '=HYPERLINK("https://evil.example","Ana")'
    application.member.save()
    client.force_login(staff)
    response = client.post(
        CHANGELIST, {"action": "export_csv", "_selected_action": [application.pk]}
    )
    (row,) = csv.DictReader(io.StringIO(response.content.decode()))
    assert row["first_name"] == '\'=HYPERLINK("https://evil.example","Ana")'


def test_staff_import_a_roster_from_admin(client, staff):
    client.force_login(staff)
    upload = SimpleUploadedFile(
        "roster.csv",
        b"member_number,email,first_name,last_name,expires_on\n"
        b"A-1,a@example.test,Ana,Lopez,2027-06-30\nA-2,b@example.test,Ben,Okafor,\n",
        content_type="text/csv",
    )
    response = client.post("/admin/applications/membership/import/", {"file": upload}, follow=True)
    assert "Roster imported: 2 created, 0 updated, 0 unchanged." in response.content.decode()
    assert Membership.objects.count() == 2


def test_a_roster_with_a_bad_row_imports_nothing_and_lists_the_lines(client, staff):
    client.force_login(staff)
    upload = SimpleUploadedFile(
        "roster.csv",
        b"member_number,email,first_name,last_name\nA-1,a@example.test,Ana,Lopez\nA-2,not-an-email,Ben,Okafor\n",
        content_type="text/csv",
    )
    html = client.post("/admin/applications/membership/import/", {"file": upload}).content.decode()
    assert "Nothing was imported" in html
    assert "Line 3:" in html
    assert Membership.objects.count() == 0


def test_self_identification_is_hidden_from_staff_without_the_permission(client, member):
    member.profile.background_groups.add(BackgroundGroup.objects.first())
    plain_staff = StaffFactory(is_superuser=False)
    plain_staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_memberprofile", "change_memberprofile"])
    )
    client.force_login(plain_staff)
    url = f"/admin/applications/memberprofile/{member.profile.pk}/change/"
    html = client.get(url).content.decode()
    assert client.get(url).status_code == 200
    assert "background_groups" not in html

    plain_staff.user_permissions.add(Permission.objects.get(codename="view_self_identification"))
    plain_staff = type(plain_staff).objects.get(pk=plain_staff.pk)  # drop the permission cache
    client.force_login(plain_staff)
    assert "background_groups" in client.get(url).content.decode()
