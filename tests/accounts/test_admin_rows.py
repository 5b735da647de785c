"""The project's change lists draw their rows themselves (`accounts/admin_rows.py`): the same
HTML as Django's `result_list` tag, cell for cell, for every list, every persona and with
filters and sorting in the address; names escaped; popups and other lists left to Django."""

import zoneinfo
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.contrib.admin.utils import display_for_field
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from accounts import admin_privacy
from accounts.admin_rows import rows_html
from applications.models import Application
from matching.models import Match
from tests import test_admin_privacy
from tests.factories import AcceptedFactory, MemberFactory, StaffFactory, UserFactory
from tests.test_admin_privacy import FULL_SCORE, SELF_IDENTIFICATION, staff_without

pytestmark = pytest.mark.django_db

SCRIPT_NAME = "<script>alert('x')</script>"
# A released pair and a run's proposal, with everything a pair writes.
world = test_admin_privacy.world


def _project_changelists() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, admin_privacy.ModelAdmin)
    )


def _rows_as_django_draws_them(response) -> list[str]:
    cl = response.context["cl"]
    return [f"<tr>{''.join(items_for_result(cl, row, None))}</tr>" for row in cl.result_list]


def _assert_rows_as_django_draws_them(response) -> int:
    assert response.status_code == 200
    html = response.content.decode()
    rows = _rows_as_django_draws_them(response)
    for row in rows:
        assert row in html
    table = html.partition('<table id="result_list">')[2].partition("</table>")[0]
    assert table.count("<tr>") == (len(rows) + 1 if rows else 0)  # and the header's
    return len(rows)


@pytest.fixture
def script_member(world):
    """An applicant whose name is markup, in the world's cohort, with a pair of their own."""
    member = MemberFactory(first_name=SCRIPT_NAME, last_name="Lastname")
    cohort = world["pair"].cohort
    AcceptedFactory(cohort=cohort, member=member)
    return member


@pytest.mark.parametrize("persona", ["superuser", "without self-identification"])
def test_every_project_list_draws_the_rows_django_would(client, world, script_member, persona):
    user = (
        StaffFactory(is_superuser=True)
        if persona == "superuser"
        else staff_without(SELF_IDENTIFICATION)
    )
    client.force_login(user)
    lists = _project_changelists()
    assert len(lists) > 15
    with_rows = 0
    for url in lists:
        response = client.get(url)
        cl = response.context["cl"]
        # Editable lists (the reference lists' order) keep Django's tag.
        assert (cl.result_table() is None) == (cl.formset is not None), url
        if cl.formset is None:
            with_rows += bool(_assert_rows_as_django_draws_them(response))
    assert with_rows >= 10


def test_the_rows_carry_the_lists_filters_and_order_in_their_links(admin_client, world):
    match = world["pair"]
    url = reverse("admin:matching_match_changelist")
    query = {"released": "yes", "o": "-2", "q": match.mentor.member.last_name}
    response = admin_client.get(url, query)
    assert _assert_rows_as_django_draws_them(response) >= 1
    change = reverse("admin:matching_match_change", args=[match.pk])
    html = response.content.decode()
    preserved = urlencode({"_changelist_filters": urlencode(query)})
    assert f'<th class="field-mentor_name"><a href="{change}?{preserved}">' in html


def test_a_name_written_as_markup_is_shown_as_text(admin_client, script_member):
    response = admin_client.get(reverse("admin:applications_application_changelist"))
    html = response.content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; Lastname" in html
    assert SCRIPT_NAME not in html
    _assert_rows_as_django_draws_them(response)


def test_each_row_shows_its_values_its_link_and_the_empty_value(admin_client, world):
    pair = world["pair"]
    response = admin_client.get(reverse("admin:matching_match_changelist"))
    html = response.content.decode()
    change = reverse("admin:matching_match_change", args=[pair.pk])
    assert (
        f'<th class="field-mentor_name"><a href="{change}">{pair.mentor.member}</a></th>'
        f'<td class="field-mentee_name">{pair.mentee.member}</td>'
    ) in html
    assert (
        f'<td class="action-checkbox"><input type="checkbox" name="_selected_action" '
        f'value="{pair.pk}" class="action-select"'
    ) in html
    assert f'<td class="field-shown_score">{FULL_SCORE}</td>' in html
    # A pair made by hand has no run; nobody decided it: the admin's empty value.
    assert '<td class="field-run_name">-</td>' in html
    assert '<td class="field-decided_by nowrap">-</td>' in html
    assert '<td class="field-released"><img src="/static/admin/img/icon-yes' in html


def test_staff_without_the_permission_see_the_score_without_the_shared_background(client, world):
    client.force_login(staff_without(SELF_IDENTIFICATION))
    response = client.get(reverse("admin:matching_match_changelist"))
    html = response.content.decode()
    assert '<td class="field-shown_score">67.65</td>' in html
    assert str(FULL_SCORE) not in html


def test_a_popup_list_is_drawn_by_djangos_tag(admin_client, world):
    response = admin_client.get(
        reverse("admin:applications_application_changelist"), {"_popup": "1"}
    )
    assert response.context["cl"].result_table() is None
    assert "data-popup-opener" in response.content.decode()
    assert Application.objects.exists() and Match.objects.exists()


def test_a_date_is_shown_in_the_time_zone_of_each_view(world, script_member):
    """Dates are formatted once and kept (`admin_rows._moment`): keyed by the zone too, so the
    same moment reads differently in Los Angeles and Tokyo, each time."""
    request = RequestFactory().get(reverse("admin:applications_application_changelist"))
    request.user = StaffFactory(is_superuser=True)
    model_admin = admin.site._registry[Application]
    field = Application._meta.get_field("submitted_at")
    shown = {}
    for zone in ["America/Los_Angeles", "Asia/Tokyo", "America/Los_Angeles"]:
        with timezone.override(zoneinfo.ZoneInfo(zone)):
            cl = model_admin.get_changelist_instance(request)
            cl.formset = None
            html = rows_html(cl)
            cells = [
                f'<td class="field-submitted_at nowrap">{display_for_field(at, field, "-")}</td>'
                for at in (row.submitted_at for row in cl.result_list)
            ]
        assert cells and all(cell in html for cell in cells)
        shown.setdefault(zone, cells)
        assert shown[zone] == cells
    assert shown["America/Los_Angeles"] != shown["Asia/Tokyo"]


def test_the_actions_menu_is_djangos_and_offers_each_person_their_own_actions(client, world):
    """The menu is drawn once and kept (`admin_privacy._KeptSelect`), by its choices: staff
    who may only view applications are never offered the decisions, whoever looked first."""
    url = reverse("admin:applications_application_changelist")
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(
        Permission.objects.get(codename="view_application", content_type__app_label="applications")
    )
    deciders = StaffFactory(is_superuser=True)
    for user in [deciders, viewer, deciders, viewer]:
        client.force_login(user)
        response = client.get(url)
        html = response.content.decode()
        djangos = helpers.ActionForm(auto_id=None)
        djangos.fields["action"].choices = response.context["action_form"].fields["action"].choices
        assert str(djangos["action"]) in html
        assert ('<option value="accept">' in html) == (user == deciders)
        assert '<option value="export_csv">' in html
