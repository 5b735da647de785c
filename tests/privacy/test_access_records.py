"""Who saw what: every staff access to private data is recorded, and the record is kept."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import AccessRecord
from tests.factories import ApplicationFactory, StaffFactory

pytestmark = pytest.mark.django_db


def _staff(*codenames: str):
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return staff


def test_staff_opening_a_pairs_workspace_is_recorded(client, pair_with_history):
    staff = _staff("view_pair_workspace")
    client.force_login(staff)

    assert client.get(reverse("meetings:workspace", args=[pair_with_history.pk])).status_code == 200

    record = AccessRecord.objects.get()
    assert (record.user, record.kind) == (staff, AccessRecord.Kind.PAIR_WORKSPACE)
    assert f"Pair {pair_with_history.pk}" in record.description
    assert record.path == f"/mentorship/{pair_with_history.pk}/"
    assert record.at is not None


def test_the_members_of_the_pair_opening_it_are_not_recorded(client, pair_with_history):
    client.force_login(pair_with_history.mentee.member)
    client.get(reverse("meetings:workspace", args=[pair_with_history.pk]))
    assert not AccessRecord.objects.exists()


def test_staff_seeing_a_members_self_identification_is_recorded(client, member):
    staff = _staff("view_memberprofile", "view_self_identification")
    client.force_login(staff)
    url = reverse("admin:applications_memberprofile_change", args=[member.profile.pk])

    assert client.get(url).status_code == 200

    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.SELF_IDENTIFICATION
    assert member.email in record.description


def test_staff_without_the_permission_see_no_self_identification_and_nothing_is_recorded(
    client, member
):
    client.force_login(_staff("view_memberprofile"))
    url = reverse("admin:applications_memberprofile_change", args=[member.profile.pk])
    assert client.get(url).status_code == 200
    assert not AccessRecord.objects.exists()


def test_exporting_applications_is_recorded(client):
    staff = _staff("view_application")
    applications = ApplicationFactory.create_batch(2)
    client.force_login(staff)

    response = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", "_selected_action": [a.pk for a in applications]},
    )

    assert response.status_code == 200
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.MEMBER_EXPORT
    assert record.description == "Applications CSV: 2 applications"


def test_exporting_pairs_hours_is_recorded(client, pair_with_history):
    staff = _staff("view_pair")
    client.force_login(staff)

    response = client.get(reverse("admin:meetings_pair_export"))
    b"".join(response.streaming_content)

    record = AccessRecord.objects.get()
    assert (record.user, record.kind) == (staff, AccessRecord.Kind.MEMBER_EXPORT)
    assert record.description == "Pair hours CSV: 1 pairs"


def test_staff_read_the_record_in_admin_but_cannot_add_change_or_delete_it(client, member):
    record = AccessRecord.objects.create(
        user_label="someone@example.test", kind="pair_workspace", description="Pair 1"
    )
    client.force_login(_staff("view_accessrecord", "change_accessrecord", "delete_accessrecord"))
    change_url = reverse("admin:core_accessrecord_change", args=[record.pk])

    assert client.get(reverse("admin:core_accessrecord_changelist")).status_code == 200
    page = client.get(change_url).content.decode()
    assert "someone@example.test" in page and 'name="_save"' not in page
    assert client.get(reverse("admin:core_accessrecord_add")).status_code == 403
    assert (
        client.get(reverse("admin:core_accessrecord_delete", args=[record.pk])).status_code == 403
    )
    client.post(change_url, {"description": "rewritten"})
    record.refresh_from_db()
    assert record.description == "Pair 1"


def test_only_the_separate_permission_lets_staff_delete_a_record(client):
    record = AccessRecord.objects.create(
        user_label="someone@example.test", kind="pair_workspace", description="Pair 1"
    )
    client.force_login(_staff("view_accessrecord", "delete_accessrecord", "manage_access_records"))
    url = reverse("admin:core_accessrecord_delete", args=[record.pk])
    assert client.get(url).status_code == 200
    client.post(url, {"post": "yes"})
    assert not AccessRecord.objects.exists()


def test_staff_holding_the_delete_permission_but_not_the_separate_one_are_refused(client):
    record = AccessRecord.objects.create(user_label="x", kind="pair_workspace", description="d")
    client.force_login(_staff("view_accessrecord", "delete_accessrecord"))
    url = reverse("admin:core_accessrecord_delete", args=[record.pk])
    assert client.get(url).status_code == 403
    assert AccessRecord.objects.filter(pk=record.pk).exists()
