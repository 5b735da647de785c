"""The program dashboard and `program_report`: the numbers against the database, who may see
them, the charts under the CSP, and a constant number of queries."""

import json
import re
from collections import Counter
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.urls import reverse

from applications.models import Application
from core.dates import months_between
from matching.models import Match
from meetings.selectors import ledger_for, pair_zone
from outcomes import charts
from outcomes.dashboard import ANONYMOUS_MIN_ANSWERS, cohort_report
from outcomes.models import Certificate, Invitation
from tests.browser import assert_valid_html
from tests.factories import AcceptedFactory, ActiveCohortFactory, CohortFactory, StaffFactory

from .dashboard_world import NOW, build_world, invite

pytestmark = pytest.mark.django_db

DASHBOARD_PERMISSIONS = ["view_application", "view_pair", "view_survey"]


@pytest.fixture(autouse=True)
def _december():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world():
    return build_world()


def _report_json(slug: str) -> dict:
    out = StringIO()
    call_command("program_report", slug, "--json", stdout=out)
    return json.loads(out.getvalue())


def _staff_with(*codenames: str):
    staff = StaffFactory(is_superuser=False)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return staff


# The numbers ----------------------------------------------------------------------------------


def _funnel_from_database(cohort) -> dict:
    funnel = {}
    for role in ("mentee", "mentor"):
        applications = Application.objects.filter(cohort=cohort, role=role)
        matches = Match.objects.filter(cohort=cohort)

        def people(queryset, role=role) -> int:
            return len(set(queryset.values_list(role, flat=True)))

        funnel[role] = {
            "started": applications.count(),
            "submitted": applications.exclude(submitted_at=None).count(),
            "accepted": applications.filter(status="accepted").count(),
            "matched": people(matches.paired()),
            "released": people(matches.released()),
            "active": people(matches.released().approved()),
            "completed": len(
                set(
                    Certificate.objects.filter(
                        cohort=cohort, role=role, revoked_at=None
                    ).values_list(f"match__{role}", flat=True)
                )
            ),
        }
    return funnel


def _hours_from_database(cohort) -> list[dict]:
    """Month by month from the meeting rows, pair by pair, in plain Python."""
    today = NOW.date()
    months = [m for m in months_between(cohort.period_start, cohort.period_end) if m <= today]
    pairs = list(Match.objects.released().filter(cohort=cohort).with_people())
    rows = []
    for month in months:
        row = {"month": f"{month:%Y-%m}", "pairs": 0, "met_minimum": 0, "short": 0, "none": 0}
        row["minutes"] = 0
        for pair in pairs:
            zone = pair_zone(pair)
            released = pair.notified_at.astimezone(zone).date().replace(day=1)
            ended = pair.ended_at.astimezone(zone).date().replace(day=1) if pair.ended_at else None
            if month < released or (ended and month > ended):
                continue
            minutes = sum(
                m.duration_minutes
                for m in pair.meetings.filter(status="held")
                if m.held_on.replace(day=1) == month
            )
            row["pairs"] += 1
            row["minutes"] += minutes
            key = "none" if minutes == 0 else "met_minimum" if minutes >= 60 else "short"
            row[key] += 1
        row["in_progress"] = month == today.replace(day=1)
        rows.append(row)
    return rows


def test_program_report_numbers_equal_counts_taken_straight_from_the_database(world):
    cohort = world["cohort"]
    report = _report_json(cohort.slug)

    assert report["cohort"] == cohort.slug
    assert report["funnel"] == _funnel_from_database(cohort)
    # Spelled out once, so that a wrong rule in both places cannot pass unseen.
    assert report["funnel"]["mentee"] == {
        "started": 10,
        "submitted": 9,
        "accepted": 7,
        "matched": 4,
        "released": 3,
        "active": 2,
        "completed": 1,
    }
    assert report["funnel"]["mentor"]["matched"] == 3  # the mentor of two pairs counts once
    assert report["funnel"]["mentor"]["completed"] == 0  # the mentor's certificate is revoked

    assert report["hours_by_month"] == _hours_from_database(cohort)
    assert [
        (m["month"], m["pairs"], m["met_minimum"], m["short"], m["none"])
        for m in report["hours_by_month"]
    ] == [("2026-10", 3, 2, 1, 0), ("2026-11", 3, 1, 1, 1), ("2026-12", 2, 1, 0, 1)]

    released = Match.objects.released().filter(cohort=cohort).with_people()
    statuses = Counter(ledger_for(pair).status.value for pair in released)
    assert {status: n for status, n in report["pair_status"].items() if n} == dict(statuses)
    assert dict(statuses) == {"on_track": 1, "at_risk": 1, "ended": 1}

    scores = [float(pair.score) for pair in released]
    assert report["match_scores"]["count"] == len(scores) == 3
    assert report["match_scores"]["min"] == min(scores)
    assert report["match_scores"]["max"] == max(scores)
    assert report["match_scores"]["mean"] == round(sum(scores) / len(scores), 2)

    surveys = {s["title"]: s for s in report["surveys"]}
    for survey in (world["midpoint"], world["anonymous"]):
        invitations = Invitation.objects.filter(survey=survey)
        assert surveys[survey.title]["invited"] == invitations.count()
        assert surveys[survey.title]["responded"] == invitations.answered().count()
        assert surveys[survey.title]["audience"] == survey.audience
    assert surveys["Midpoint check-in"]["satisfaction"] == {"mean": 3.0, "answers": 2, "out_of": 5}

    assert report["certificates"] == {
        "issued": Certificate.objects.filter(cohort=cohort).count(),
        "revoked": Certificate.objects.filter(cohort=cohort).exclude(revoked_at=None).count(),
        "valid": 1,
    }


def test_an_anonymous_surveys_satisfaction_shows_only_once_enough_people_answered(world):
    surveys = {s.title: s for s in cohort_report(world["cohort"]).surveys}
    assert surveys["End of program"].satisfaction_mean is None
    assert surveys["End of program"].satisfaction_withheld

    for _ in range(ANONYMOUS_MIN_ANSWERS - 3):
        invite(
            world["anonymous"],
            AcceptedFactory(cohort=world["cohort"]),
            answer=5,
            question=world["anonymous_question"],
        )
    surveys = {s.title: s for s in cohort_report(world["cohort"]).surveys}
    assert surveys["End of program"].satisfaction_mean == round((5 + 3 + 4 + 5 + 5) / 5, 2)
    assert not surveys["End of program"].satisfaction_withheld


def test_the_dashboards_status_counts_are_the_pair_lists_filters(client, world):
    client.force_login(StaffFactory())
    cohort = world["cohort"]
    report = cohort_report(cohort)
    for status, count in report.pair_status.items():
        response = client.get(
            reverse("admin:meetings_pair_changelist"),
            {"cohort__id__exact": cohort.pk, "progress": status},
        )
        assert response.context["cl"].result_count == count, status


def test_program_report_without_json_is_a_readable_text_report(world):
    out = StringIO()
    call_command("program_report", world["cohort"].slug, stdout=out)
    text = out.getvalue()
    assert "People from application to completion" in text
    assert re.search(r"Started an application\s+10\s+", text)
    assert re.search(r"October 2026\s+3\s+2\s+1\s+0\s+3 h\n", text)
    assert "December 2026 (so far)" in text
    assert "Certificates: 2 issued, 1 revoked, 1 valid." in text
    assert "withheld (too few answers)" in text


def test_program_report_of_an_unknown_cohort_fails_with_a_clear_message(db):
    with pytest.raises(CommandError, match="No cohort with the slug 'no-such-cohort'"):
        call_command("program_report", "no-such-cohort", "--json")


def test_a_cohort_before_its_period_has_no_months_and_no_pairs(db):
    cohort = CohortFactory()
    report = _report_json(cohort.slug)
    assert report["hours_by_month"] == []
    assert report["match_scores"] == {
        "count": 0,
        "mean": None,
        "min": None,
        "max": None,
        "histogram": [{"from": low, "to": low + 10, "pairs": 0} for low in range(0, 100, 10)],
    }
    assert set(report["funnel"]["mentee"].values()) == {0}


# Who sees it ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona",
    ["a member", "staff without the permissions", "staff with two of the three permissions"],
)
def test_only_staff_who_may_read_applications_pairs_and_surveys_find_the_dashboard(
    client, world, persona
):
    user = {
        "a member": lambda: world["on_track"].mentee.member,
        "staff without the permissions": lambda: StaffFactory(is_superuser=False),
        "staff with two of the three permissions": lambda: _staff_with(
            "view_application", "view_pair"
        ),
    }[persona]()
    client.force_login(user)
    for url in (
        reverse("outcomes:dashboard"),
        reverse("outcomes:cohort_dashboard", args=[world["cohort"].slug]),
    ):
        assert client.get(url).status_code == 404
    admin = client.get(reverse("admin:index"))
    assert reverse("outcomes:dashboard").encode() not in admin.content


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    response = client.get(reverse("outcomes:dashboard"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_staff_with_the_permissions_reach_the_dashboard_from_the_admin_index(client, world):
    client.force_login(_staff_with(*DASHBOARD_PERMISSIONS))
    admin = client.get(reverse("admin:index"))
    assert f'href="{reverse("outcomes:dashboard")}"'.encode() in admin.content
    overview = client.get(reverse("outcomes:dashboard"))
    assert overview.status_code == 200
    url = reverse("outcomes:cohort_dashboard", args=[world["cohort"].slug])
    assert f'href="{url}"'.encode() in overview.content
    assert client.get(url).status_code == 200
    assert client.get(reverse("outcomes:cohort_dashboard", args=["nope"])).status_code == 404


# The page ---------------------------------------------------------------------------------------


def test_the_cohort_page_says_each_charts_numbers_in_words_and_in_a_table(client, world):
    client.force_login(StaffFactory())
    response = client.get(reverse("outcomes:cohort_dashboard", args=[world["cohort"].slug]))
    html = response.content.decode()
    assert (
        "In November 2026, 1 of 3 pairs met the monthly minimum of 1 hour, 1 met for less" in html
    )
    assert "Of 3 released pairs: 1 on track, 1 at risk and 1 ended early." in html
    assert html.count("<svg") == 5
    assert html.count("<table") == 5
    # The numbers open the same pairs in the pair list.
    pair_list = reverse("admin:meetings_pair_changelist")
    cohort = world["cohort"].pk
    assert f'href="{pair_list}?cohort__id__exact={cohort}&amp;progress=at_risk">1</a>' in html


def test_the_charts_carry_no_script_no_style_and_no_repeated_ids(client, world):
    ActiveCohortFactory(slug="second")
    client.force_login(StaffFactory())
    for url in (
        reverse("outcomes:dashboard"),
        reverse("outcomes:cohort_dashboard", args=[world["cohort"].slug]),
    ):
        html = client.get(url).content.decode()
        assert "<script" not in html.replace('<script src="/static/js/site.js"></script>', "")
        assert "<style" not in html
        assert " style=" not in html
        ids = re.findall(r'\sid="([^"]+)"', html)
        assert len(ids) == len(set(ids))


def test_the_dashboard_pages_are_valid_html(client, world):
    client.force_login(StaffFactory())
    for url in (
        reverse("outcomes:dashboard"),
        reverse("outcomes:cohort_dashboard", args=[world["cohort"].slug]),
        reverse("outcomes:cohort_dashboard", args=[CohortFactory().slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert_valid_html(response.content, context=url)


def test_a_label_staff_typed_is_escaped_in_the_chart(world):
    svg = charts.bar_chart(
        title="Surveys",
        description="A <b>bold</b> claim",
        labels=['<script>alert("x")</script>'],
        series={"Answered": [3]},
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "<desc>A &lt;b&gt;bold&lt;/b&gt; claim</desc>" in svg


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(0, [0, 1]), (3, [0, 1, 2, 3]), (7, [0, 2, 4, 6, 8]), (12, [0, 5, 10, 15]), (4999, None)],
)
def test_count_axes_have_whole_number_ticks(top, ticks):
    made = charts.whole_number_ticks(top)
    assert made[0] == 0 and made[-1] >= top and len(made) <= 6
    assert all(isinstance(tick, int) for tick in made)
    if ticks is not None:
        assert made == ticks


# Queries --------------------------------------------------------------------------------------


@pytest.mark.parametrize("extra_pairs", [0, 25])
def test_the_cohort_page_runs_a_constant_number_of_queries(
    client, extra_pairs, django_assert_max_num_queries
):
    world = build_world(extra_pairs=extra_pairs)
    client.force_login(StaffFactory())
    url = reverse("outcomes:cohort_dashboard", args=[world["cohort"].slug])
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.context["report"].pairs == 3 + extra_pairs


@pytest.mark.parametrize("cohorts", [1, 3])
def test_the_overview_runs_a_constant_number_of_queries(
    client, cohorts, django_assert_max_num_queries
):
    for n in range(cohorts):
        build_world(extra_pairs=n * 5)
    client.force_login(StaffFactory())
    with django_assert_max_num_queries(13):
        response = client.get(reverse("outcomes:dashboard"))
    assert len(response.context["reports"]) == cohorts
