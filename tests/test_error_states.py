"""Errors a screen reader can follow, on every form: each error tied to its field, a summary
that is announced and links to the fields, "Error: " in the title, and the same page (200)
whatever the form."""

from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import pytest
import time_machine
from django.contrib.staticfiles import finders
from django.urls import reverse

from applications.models import Application
from meetings.models import Goal
from tests.browser import assert_valid_html
from tests.factories import CohortFactory, PairFactory, SelectionCohortFactory

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """Every start tag's attributes, and the document's title."""

    def __init__(self, html: str):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []
        self.title = ""
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def by_id(self, element_id: str) -> dict:
        matches = [attrs for _, attrs in self.elements if attrs.get("id") == element_id]
        assert len(matches) == 1, f"{len(matches)} elements with id {element_id!r}"
        return matches[0]

    def with_class(self, name: str) -> list[dict]:
        return [a for _, a in self.elements if name in (a.get("class") or "").split()]


def _summary(page: _Elements) -> dict:
    (summary,) = page.with_class("error-summary")
    return summary


def _assert_tied_to_its_field(page: _Elements, field_id: str) -> None:
    field = page.by_id(field_id)
    assert field.get("aria-invalid") == "true"
    error_id = f"{field_id}_error"
    assert error_id in field["aria-describedby"].split()
    page.by_id(error_id)  # the error text the field points at exists


@pytest.fixture
def cohort():
    return CohortFactory(slug="fall", name="Fall cohort")


def test_submitting_an_application_with_empty_parts_ties_each_error_to_its_field(
    client, member, cohort
):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentee/", {"availability": "Tuesdays", "action": "submit"}
    )
    html = response.content.decode()
    page = _Elements(html)
    assert response.status_code == 200
    assert not Application.objects.exists()
    for field_id in ["id_goals", "id_agrees_to_commitment", "id_agrees_to_confidentiality"]:
        _assert_tied_to_its_field(page, field_id)
        assert f'href="#{field_id}"' in html
    summary = _summary(page)
    assert summary["role"] == "alert"
    assert summary["tabindex"] == "-1"
    assert "There is a problem" in html
    assert "Write the goals you want to achieve with a mentor." in html
    # A label that ends a sentence is not followed by a colon in the summary.
    assert "professionally.:" not in html
    assert "professionally. Tick this box" in html
    assert "Tuesdays" in html  # nothing typed is lost
    assert page.title.startswith("Error: Apply to Fall cohort as a mentee")
    assert_valid_html(html, context="apply with empty required parts")


def test_the_parts_needed_to_submit_are_marked_required_but_a_draft_still_saves(
    client, member, cohort
):
    client.force_login(member)
    page = _Elements(client.get("/cohorts/fall/apply/mentee/").content.decode())
    for field_id in ["id_goals", "id_agrees_to_commitment", "id_agrees_to_confidentiality"]:
        assert "required" in page.by_id(field_id)
    assert "required" not in page.by_id("id_availability")
    assert not page.with_class("error-summary")
    assert not page.title.startswith("Error")

    response = client.post("/cohorts/fall/apply/mentee/", {"action": "draft"})
    assert response.status_code == 302
    assert Application.objects.get().status == Application.Status.DRAFT


def test_a_mentor_application_marks_and_ties_the_offer(client, member, cohort):
    client.force_login(member)
    response = client.post(
        "/cohorts/fall/apply/mentor/", {"mentee_capacity": "1", "action": "submit"}
    )
    page = _Elements(response.content.decode())
    _assert_tied_to_its_field(page, "id_offer")
    assert "required" in page.by_id("id_offer")
    assert page.title.startswith("Error: Apply to Fall cohort as a mentor")


def test_a_form_level_error_is_announced_in_the_focused_summary(client, non_member):
    client.force_login(non_member)
    response = client.post("/membership/", {"member_number": "NOPE-1", "last_name": "Nonmember"})
    html = response.content.decode()
    page = _Elements(html)
    summary = _summary(page)
    assert (summary["role"], summary["tabindex"]) == ("alert", "-1")
    summary_html = html.split('class="error-summary')[1].split("</div>")[0]
    assert "We could not find that member number with that last name." in summary_html
    assert page.title.startswith("Error: Membership")


def test_a_wrong_password_is_announced_in_the_summary(client, member):
    response = client.post("/accounts/login/", {"login": member.email, "password": "wrong"})
    html = response.content.decode()
    page = _Elements(html)
    assert _summary(page)["role"] == "alert"
    summary_html = html.split('class="error-summary')[1].split("</div>")[0]
    assert "not correct" in summary_html
    assert page.title.startswith("Error: ")
    assert_valid_html(html, context="sign in with a wrong password")


def test_the_summary_is_focused_by_a_static_script_not_an_inline_one(client, member, cohort):
    client.force_login(member)
    html = client.post("/cohorts/fall/apply/mentee/", {"action": "submit"}).content.decode()
    assert '<script src="/static/js/site.js"></script>' in html
    assert "<script>" not in html
    script = Path(finders.find("js/site.js")).read_text()
    assert 'document.querySelector(".error-summary")' in script


@pytest.fixture
def pair_with_goal():
    with time_machine.travel(datetime(2026, 12, 10, 12, tzinfo=UTC), tick=False):
        pair = PairFactory()
        goal = Goal.objects.create(match=pair, title="Board certification")
        yield pair, goal


@pytest.mark.parametrize(
    ("url_name", "data", "field_id"),
    [
        ("meetings:step_add", {"step-title": ""}, "id_step-title"),
        ("meetings:goal_comment", {"comment-body": ""}, "id_comment-body"),
    ],
)
def test_an_empty_step_or_comment_comes_back_as_the_goal_page_with_its_error(
    client, pair_with_goal, url_name, data, field_id
):
    pair, goal = pair_with_goal
    client.force_login(pair.mentee.member)
    response = client.post(reverse(url_name, args=[pair.pk, goal.pk]), data)
    assert response.status_code == 200
    page = _Elements(response.content.decode())
    _assert_tied_to_its_field(page, field_id)
    assert page.title.startswith("Error: Goal: Board certification")


def test_a_bad_video_link_is_kept_and_the_page_stays_valid(client, pair_with_goal):
    pair, _ = pair_with_goal
    client.force_login(pair.mentee.member)
    response = client.post(
        reverse("meetings:meeting_plan", args=[pair.pk]),
        {
            "starts_at": "2026-12-20T10:00",
            "duration_minutes": "60",
            "format": "video",
            "video_link": "not a link",
        },
    )
    html = response.content.decode()
    page = _Elements(html)
    link = page.by_id("id_video_link")
    assert (link["value"], link["type"], link["inputmode"]) == ("not a link", "text", "url")
    _assert_tied_to_its_field(page, "id_video_link")
    assert_valid_html(html, context="plan a meeting with a bad link")


def test_the_meeting_duration_input_offers_the_limits_its_help_states(client, pair_with_goal):
    pair, _ = pair_with_goal
    client.force_login(pair.mentee.member)
    for url_name in ["meetings:meeting_plan", "meetings:meeting_log"]:
        html = client.get(reverse(url_name, args=[pair.pk])).content.decode()
        duration = _Elements(html).by_id("id_duration_minutes")
        assert (duration["min"], duration["max"]) == ("5", "300")
        assert "Between 5 and 300 minutes." in html


def test_our_admin_forms_say_error_in_the_title_too(client, staff):
    cohort = SelectionCohortFactory(name="Fall cohort")
    client.force_login(staff)
    url = reverse("admin:matching_matchrun_start") + f"?cohort={cohort.pk}"
    page = _Elements(client.get(url).content.decode())
    assert page.title.startswith("Run matching")
    response = client.post(url, {"min_match_score": 120, "algorithm": "optimal"})
    page = _Elements(response.content.decode())
    assert page.title.startswith("Error: Run matching")
    assert not page.title.startswith("Error: Error:")
