"""The admin site as a whole: query-string dates it cannot show are dropped with a message; the
sidebar lists what each viewer may use."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.template.loader import get_template
from django.urls import set_script_prefix

from mentorship.admin_site import nav_app_list_html
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

CHANGE_LISTS_WITH_DATES = [
    ("/admin/meetings/meeting/", "starts_at"),
    ("/admin/applications/application/", "submitted_at"),
    ("/admin/notifications/notification/", "created_at"),
    ("/admin/django_celery_beat/periodictask/", "start_time"),
]
BAD_DATES = {
    "a year longer than any integer": {"__year": "99999999999999999999"},
    "the last month Python knows": {"__year": "9999", "__month": "12"},
    "the last day Python knows": {"__year": "9999", "__month": "12", "__day": "31"},
    "a year that is no number": {"__year": "²"},
    "a month that does not exist": {"__year": "2026", "__month": "13"},
    "a range ending in year 9999": {"__lt": "9999-12-31 23:59:59"},
    "a range from year 1": {"__gte": "0001-01-01"},
}


@pytest.mark.parametrize(("url", "field"), CHANGE_LISTS_WITH_DATES)
@pytest.mark.parametrize("case", BAD_DATES)
def test_a_date_filter_outside_the_programs_years_is_dropped_with_a_message(
    client, staff, url, field, case
):
    client.force_login(staff)
    query = {f"{field}{suffix}": value for suffix, value in BAD_DATES[case].items()}
    response = client.get(url, {**query, "o": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?o=1"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "That date filter was left out: dates run from the year 2000 to 2200."
    ]
    assert client.get(response["Location"]).status_code == 200


def test_a_date_filter_inside_the_programs_years_is_kept(client, staff):
    client.force_login(staff)
    url = "/admin/meetings/meeting/"
    response = client.get(url, {"starts_at__year": "2026", "starts_at__month": "12"})
    assert response.status_code == 200
    assert response.context["cl"].date_hierarchy == "starts_at"


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/admin/applications/application/", "status__exact"),
        ("/admin/notifications/notification/", "kind"),
        ("/admin/cohorts/resource/", "audience__exact"),
        ("/admin/django_celery_beat/periodictask/", "task"),
    ],
)
def test_a_filter_holding_a_nul_is_dropped_with_a_message(client, staff, url, key):
    """PostgreSQL refuses a NUL in a query; SQLite would just find nothing."""
    client.force_login(staff)
    response = client.get(url, {key: "a\x00b", "o": "1"})
    assert response.status_code == 302
    assert response["Location"] == f"{url}?o=1"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "A filter holding a NUL character was left out."
    ]


def _tags_only(html: str) -> str:
    """HTML with the whitespace between and around tags left out, which a browser ignores in a
    table of links."""
    return re.sub(r"\s*(<|>)\s*", r"\1", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("superuser", "/admin/applications/application/"),
        ("superuser", "/admin/matching/match/add/"),
        ("applications viewer", "/admin/applications/application/"),
        ("no model at all", "/admin/password_change/"),
    ],
)
def test_the_sidebar_lists_what_djangos_template_would(client, persona, url):
    """The sidebar's list is written by the admin site: the same apps, models, links, add links
    and current page as Django's `admin/app_list.html`, for each viewer."""
    if persona == "superuser":
        user = StaffFactory(is_superuser=True)
    else:
        user = StaffFactory(is_superuser=False)
        if persona == "applications viewer":
            user.user_permissions.add(Permission.objects.get(codename="view_application"))
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    apps = response.context["available_apps"]
    assert bool(apps) == (persona != "no model at all")
    djangos = get_template("admin/app_list.html").render(
        {"app_list": apps, "show_changelinks": False}, response.wsgi_request
    )
    ours = nav_app_list_html(apps, response.wsgi_request.path)
    assert _tags_only(ours) == _tags_only(djangos)
    assert str(ours) in response.content.decode()
    if persona == "applications viewer":
        assert [model["object_name"] for app in apps for model in app["models"]] == ["Application"]
        assert 'aria-current="page">Applications</a>' in ours
        assert "addlink" not in ours


def test_the_sidebars_addresses_follow_the_script_prefix(rf):
    site = admin.site
    try:
        set_script_prefix("/program/")
        assert site._url("admin:applications_application_changelist") == (
            "/program/admin/applications/application/"
        )
    finally:
        set_script_prefix("/")
    assert site._url("admin:applications_application_changelist") == (
        "/admin/applications/application/"
    )
    assert site._url("admin:no_such_page") is None
