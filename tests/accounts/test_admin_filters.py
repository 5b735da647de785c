"""The change lists' filters (`accounts/admin_filters.py`): drawn as Django's tag draws them, to
the byte, on every list; the reference lists' choices kept in the cache and forgotten as soon as
staff change a row."""

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import admin_list_filter
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from applications.models import CareerStage, Location, PracticeArea
from tests.factories import StaffFactory
from tests.test_admin_privacy import SELF_IDENTIFICATION, staff_without

pytestmark = pytest.mark.django_db

APPLICATIONS = "admin:applications_application_changelist"
MARKUP = '<b title="x">Nuclear & "hot" lab</b>'


def _every_changelist() -> list[str]:
    return sorted(
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    )


def _assert_filters_as_django_draws_them(response) -> int:
    assert response.status_code == 200
    html = response.content.decode()
    cl = response.context["cl"]
    for spec in cl.filter_specs:
        assert admin_list_filter(cl, spec) in html, spec.title
    assert html.count("<details data-filter-title=") == len(cl.filter_specs)
    return len(cl.filter_specs)


@pytest.mark.parametrize("persona", ["superuser", "without self-identification"])
def test_every_list_draws_its_filters_as_django_would(client, persona):
    user = (
        StaffFactory(is_superuser=True)
        if persona == "superuser"
        else staff_without(SELF_IDENTIFICATION)
    )
    client.force_login(user)
    drawn = sum(
        _assert_filters_as_django_draws_them(client.get(url)) for url in _every_changelist()
    )
    assert drawn >= 30


def test_a_chosen_filter_a_search_and_an_order_are_kept_in_every_choice(admin_client):
    location = Location.objects.get(code="NY")
    query = {
        "member__profile__location__id__exact": location.pk,
        "role__exact": "mentee",
        "q": 'Ana "María" <&>',
        "o": "-3",
    }
    response = admin_client.get(reverse(APPLICATIONS), query)
    assert _assert_filters_as_django_draws_them(response) >= 8
    html = response.content.decode()
    # The chosen state is marked, and its link keeps the search, escaped.
    assert (
        '<li class="selected">\n    <a href="?member__profile__location__id__exact='
        f'{location.pk}&amp;o=-3&amp;q=Ana+%22Mar%C3%ADa%22+%3C%26%3E&amp;role__exact=mentee">'
        f"{location}</a></li>"
    ) in html


def test_a_name_written_as_markup_is_shown_as_text_in_a_filter(admin_client):
    PracticeArea.objects.create(name=MARKUP, order=99)
    response = admin_client.get(reverse(APPLICATIONS))
    html = response.content.decode()
    assert "&lt;b title=&quot;x&quot;&gt;Nuclear &amp; &quot;hot&quot; lab&lt;/b&gt;" in html
    assert MARKUP not in html
    _assert_filters_as_django_draws_them(response)


def _reference_queries(client) -> int:
    """The queries of one view of the applications list that read a reference table."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(APPLICATIONS)).status_code == 200
    return sum(
        1
        for query in captured.captured_queries
        if any(query["sql"].startswith(f'SELECT "{table}"."id"') for table in REFERENCE_TABLES)
    )


REFERENCE_TABLES = {
    "applications_location",
    "applications_practicearea",
    "applications_careerstage",
}


def test_the_reference_lists_are_read_once_and_then_kept(admin_client):
    first = _reference_queries(admin_client)
    again = _reference_queries(admin_client)
    assert first == 3
    assert again == 0


def _add_state() -> tuple[str, str]:
    Location.objects.create(code="ZZ", name="Zedland")
    return "Zedland", ""


def _delete_stage() -> tuple[str, str]:
    stage = CareerStage.objects.order_by("pk").last()
    name = str(stage)
    stage.delete()
    return "", name


def _rename_area() -> tuple[str, str]:
    area = PracticeArea.objects.order_by("pk").first()
    old = str(area)
    area.name = "Zedology"
    area.save()
    return "Zedology", old


@pytest.mark.parametrize("change", [_add_state, _delete_stage, _rename_area])
def test_a_change_to_a_reference_list_shows_on_the_next_view(
    admin_client, change, django_capture_on_commit_callbacks
):
    def shown() -> set[str]:
        cl = admin_client.get(reverse(APPLICATIONS)).context["cl"]
        return {str(choice["display"]) for spec in cl.filter_specs for choice in spec.choices(cl)}

    shown()  # the lists are now kept
    with django_capture_on_commit_callbacks(execute=True):
        present, absent = change()
    after = shown()
    if present:
        assert any(present in name for name in after)
    if absent:
        assert absent not in after
