"""Staff oversight of pairs in admin: hours, progress, filters, the CSV, corrections, privacy."""

import csv
import io
import zoneinfo
from datetime import date, datetime, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from applications.models import Application
from core.spreadsheets import csv_safe
from matching.models import Match
from meetings.models import Goal, Meeting
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import (
    PASSWORD,
    ActiveCohortFactory,
    MeetingFactory,
    PairFactory,
    StaffFactory,
    UserFactory,
)
from tests.meetings.clock import DENVER, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("december")]

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
SECRETS = [
    "Secret agenda text",
    "Secret topics text",
    "Secret notes text",
    "Secret next steps text",
    "https://video.example/secret-room",
    "Secret goal title",
    "Secret goal description",
]

PAIRS_URL = reverse("admin:meetings_pair_changelist")
EXPORT_URL = reverse("admin:meetings_pair_export")
MEETINGS_URL = reverse("admin:meetings_meeting_changelist")


def held(pair, day: date, minutes: int = 60, **kwargs) -> Meeting:
    starts_at = datetime(day.year, day.month, day.day, 17, tzinfo=DENVER)
    return MeetingFactory(match=pair, starts_at=starts_at, duration_minutes=minutes, **kwargs)


def a_pair(cohort, mentor: str, mentee: str, **kwargs) -> Match:
    return PairFactory(
        cohort=cohort,
        mentor__member__first_name=mentor,
        mentor__member__last_name="Mentor",
        mentee__member__first_name=mentee,
        mentee__member__last_name="Mentee",
        **kwargs,
    )


@pytest.fixture
def cohort():
    return ActiveCohortFactory(name="Pilot 2026")


@pytest.fixture
def pairs(cohort):
    """Pairs in different states, plus a match not yet released, which staff must not see here."""
    on_track = a_pair(cohort, "Olivia", "Otto")
    held(on_track, date(2026, 10, 8), 60)
    held(on_track, date(2026, 11, 5), 90)
    Goal.objects.create(match=on_track, title="G1", status=Goal.Status.ACHIEVED)
    Goal.objects.create(match=on_track, title="G2", status=Goal.Status.ACHIEVED)
    Goal.objects.create(match=on_track, title="G3", status=Goal.Status.IN_PROGRESS)
    Goal.objects.create(match=on_track, title="G4", status=Goal.Status.DROPPED)

    at_risk = a_pair(cohort, "Rita", "Rex")
    held(at_risk, date(2026, 10, 8), 60)

    behind = a_pair(cohort, "Bea", "Ben")
    held(behind, date(2026, 10, 8), 60)
    held(behind, date(2026, 11, 5), 30)

    ended = a_pair(
        cohort,
        "Edna",
        "Ed",
        status=Match.Status.ENDED,
        mentor_slot=None,
        ended_at=datetime(2026, 11, 20, 12, tzinfo=DENVER),
        end_reason="The mentee left the program.",
    )
    held(ended, date(2026, 10, 8), 45)

    unreleased = a_pair(cohort, "Una", "Ulf", notified_at=None)
    return {
        "on_track": on_track,
        "at_risk": at_risk,
        "behind": behind,
        "ended": ended,
        "unreleased": unreleased,
    }


def rows_of(response) -> dict[str, list[str]]:
    """The change list's rows by mentor name: the text of each cell."""
    result = response.context["cl"].result_list
    admin = response.context["cl"].model_admin
    rows = {}
    for pair in result:
        rows[str(pair.mentor.member)] = [
            str(getattr(admin, name)(pair))
            for name in ("total_hours", "months_met", "progress", "last_meeting")
        ] + [str(getattr(admin, name)(pair)) for name in ("meetings_held", "goals", "match_status")]
    return rows


def mentors_listed(response) -> set[str]:
    return {str(pair.mentor.member) for pair in response.context["cl"].result_list}


def read_csv(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    content = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(content)))


def a_staff_member(*codenames: str) -> User:
    """Staff who are not superusers, holding exactly the named permissions."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=codenames))
    return user


# --- The pairs' change list -----------------------------------------------------------------


def test_staff_see_each_released_pairs_hours_months_progress_and_activity(client, staff, pairs):
    client.force_login(staff)
    response = client.get(PAIRS_URL)
    assert response.status_code == 200
    rows = rows_of(response)
    assert "Una Mentor" not in rows  # not released yet
    assert rows["Olivia Mentor"] == [
        "2 h 30 min of 6 h",
        "2 of 6",
        "On track",
        "2026-11-05",
        "2",
        "1 open, 2 achieved",
        "Active",
    ]
    assert rows["Rita Mentor"][:3] == ["1 h of 6 h", "1 of 6", "At risk"]
    assert rows["Bea Mentor"][:3] == ["1 h 30 min of 6 h", "1 of 6", "Behind pace"]
    assert rows["Edna Mentor"][2:] == [
        "Ended early",
        "2026-10-08",
        "1",
        "0 open, 0 achieved",
        "Ended",
    ]
    content = response.content.decode()
    assert "2 h 30 min of 6 h" in content and "1 open, 2 achieved" in content
    assert "Export hours per month (CSV)" in content


def test_the_progress_filter_keeps_the_pairs_in_that_state(client, staff, pairs):
    client.force_login(staff)
    assert mentors_listed(client.get(PAIRS_URL, {"progress": "at_risk"})) == {"Rita Mentor"}
    assert mentors_listed(client.get(PAIRS_URL, {"progress": "behind"})) == {"Bea Mentor"}
    assert mentors_listed(client.get(PAIRS_URL, {"progress": "ended"})) == {"Edna Mentor"}
    assert mentors_listed(client.get(PAIRS_URL, {"progress": "met"})) == set()
    with_counts = client.get(PAIRS_URL, {"_facets": "True", "status": "approved"})
    assert "At risk (1)" in with_counts.content.decode()


def test_the_progress_filter_reads_the_pairs_minutes_through_a_subquery(client, staff, pairs):
    client.force_login(staff)
    with CaptureQueriesContext(connection) as queries:
        client.get(PAIRS_URL, {"progress": "at_risk"})
    minutes = [q["sql"] for q in queries if "SUM(" in q["sql"] and "duration_minutes" in q["sql"]]
    # Not a list of every pair's id, which a large program would take past the database's
    # parameter limit (the page's own rows, a page at a time, may come as a list).
    assert any("IN (SELECT" in sql for sql in minutes), minutes


def test_the_cohort_and_match_status_filters_narrow_the_list(client, staff, pairs):
    other = a_pair(ActiveCohortFactory(name="Spring"), "Sam", "Sue")
    client.force_login(staff)
    everyone = mentors_listed(client.get(PAIRS_URL))
    assert "Sam Mentor" in everyone and len(everyone) == 5
    spring = mentors_listed(client.get(PAIRS_URL, {"cohort__id__exact": other.cohort_id}))
    assert spring == {"Sam Mentor"}
    ended = mentors_listed(client.get(PAIRS_URL, {"status": "ended"}))
    assert ended == {"Edna Mentor"}
    pilot_active = mentors_listed(
        client.get(
            PAIRS_URL, {"cohort__id__exact": pairs["on_track"].cohort_id, "status": "approved"}
        )
    )
    assert pilot_active == {"Olivia Mentor", "Rita Mentor", "Bea Mentor"}


def test_staff_search_pairs_by_a_members_name_or_email(client, staff, pairs):
    client.force_login(staff)
    assert mentors_listed(client.get(PAIRS_URL, {"q": "Rex"})) == {"Rita Mentor"}
    email = pairs["behind"].mentee.member.email
    assert mentors_listed(client.get(PAIRS_URL, {"q": email})) == {"Bea Mentor"}


def test_pairs_cannot_be_added_or_deleted_in_admin(client, staff, pairs):
    client.force_login(staff)
    assert client.get(reverse("admin:meetings_pair_add")).status_code == 403
    pk = pairs["on_track"].pk
    assert client.post(reverse("admin:meetings_pair_delete", args=[pk])).status_code == 403
    assert Match.objects.filter(pk=pk).exists()


# --- The CSV --------------------------------------------------------------------------------


def test_the_csv_has_a_row_per_pair_per_month_of_the_period(client, staff, pairs):
    client.force_login(staff)
    rows = read_csv(client.get(EXPORT_URL))
    assert len(rows) == 4 * 6  # four released pairs, October to March
    olivia = [row for row in rows if row["mentor"] == "Olivia Mentor"]
    assert [row["month"] for row in olivia] == [
        "2026-10",
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
        "2027-03",
    ]
    assert [row["minutes"] for row in olivia] == ["60", "90", "0", "0", "0", "0"]
    assert [row["monthly_minimum_met"] for row in olivia] == ["yes", "yes", "no", "no", "no", "no"]
    assert {row["total_minutes"] for row in olivia} == {"150"}
    assert {row["status"] for row in olivia} == {"On track"}
    assert {(row["cohort"], row["mentee"]) for row in olivia} == {("Pilot 2026", "Otto Mentee")}
    bea_november = next(r for r in rows if r["mentor"] == "Bea Mentor" and r["month"] == "2026-11")
    assert (bea_november["minutes"], bea_november["monthly_minimum_met"]) == ("30", "no")


def test_the_csv_link_exports_the_pairs_the_filters_show(client, staff, pairs):
    client.force_login(staff)
    listing = client.get(PAIRS_URL, {"progress": "at_risk"})
    assert f'href="{EXPORT_URL}?progress=at_risk"' in listing.content.decode()
    rows = read_csv(client.get(EXPORT_URL, {"progress": "at_risk"}))
    assert {row["mentor"] for row in rows} == {"Rita Mentor"}
    assert len(rows) == 6


def test_the_csv_action_exports_the_selected_pairs(client, staff, pairs):
    client.force_login(staff)
    response = client.post(
        PAIRS_URL,
        {"action": "export_hours_csv", "_selected_action": [pairs["ended"].pk]},
    )
    rows = read_csv(response)
    assert {row["mentor"] for row in rows} == {"Edna Mentor"}
    assert {row["status"] for row in rows} == {"Ended early"}


def test_the_csv_defuses_names_a_spreadsheet_would_run_as_formulas(client, staff, cohort):
    a_pair(cohort, "=HYPERLINK(1)", "+Plus")
    client.force_login(staff)
    content = b"".join(client.get(EXPORT_URL).streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows[0]["mentor"] == "'=HYPERLINK(1) Mentor"
    assert rows[0]["mentee"] == "'+Plus Mentee"
    assert "\n=HYPERLINK" not in content and ",=HYPERLINK" not in content


@pytest.mark.parametrize(
    ("value", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ada = Lovelace", "Ada = Lovelace"),
        (90, 90),
    ],
)
def test_only_cells_starting_like_a_formula_get_an_apostrophe(value, safe):
    assert csv_safe(value) == safe


# --- Constant queries -----------------------------------------------------------------------


def many_pairs(cohort, count: int) -> list[Match]:
    """`count` released pairs with a held meeting and a goal each, in a handful of queries."""
    now = timezone.now()
    users = User.objects.bulk_create(
        User(email=f"bulk{cohort.pk}-{i}@example.test", first_name=f"Bulk{i}", last_name="Member")
        for i in range(2 * count)
    )
    applications = Application.objects.bulk_create(
        Application(
            cohort=cohort,
            member=user,
            role="mentor" if i % 2 == 0 else "mentee",
            status="accepted",
            submitted_at=now,
            decided_at=now,
            agrees_to_commitment=True,
            agrees_to_confidentiality=True,
        )
        for i, user in enumerate(users)
    )
    matches = Match.objects.bulk_create(
        Match(
            cohort=cohort,
            mentor=applications[2 * i],
            mentee=applications[2 * i + 1],
            status="approved",
            score=50,
            mentor_slot=1,
            mentor_capacity=1,
            decided_at=now,
            notified_at=now,
        )
        for i in range(count)
    )
    Meeting.objects.bulk_create(
        Meeting(
            match=match,
            status="held",
            starts_at=datetime(2026, 10, 8, 17, tzinfo=NEW_YORK),
            duration_minutes=60,
            held_on=date(2026, 10, 8),
            logged_at=now,
            logged_by=match.mentee.member,
        )
        for match in matches
    )
    Goal.objects.bulk_create(
        Goal(match=match, title="Goal", status="achieved") for match in matches
    )
    return matches


def test_the_pair_list_takes_the_same_queries_for_500_pairs_as_for_a_few(
    client, staff, pairs, cohort, django_assert_max_num_queries
):
    client.force_login(staff)
    filtered = {"progress": "at_risk", "cohort__id__exact": cohort.pk}
    with django_assert_max_num_queries(30) as few:
        client.get(PAIRS_URL)
    with django_assert_max_num_queries(30) as few_filtered:
        client.get(PAIRS_URL, filtered)
    many_pairs(cohort, 500)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(PAIRS_URL)
    assert len(response.context["cl"].result_list) == 100
    assert "1 h of 6 h" in response.content.decode()
    with django_assert_max_num_queries(len(few_filtered.captured_queries)):
        response = client.get(PAIRS_URL, filtered)
    assert response.context["cl"].result_count == 501  # Rita and the 500, silent in November


def test_the_csv_takes_the_same_queries_for_500_pairs_as_for_a_few(
    client, staff, pairs, cohort, django_assert_max_num_queries
):
    client.force_login(staff)
    with django_assert_max_num_queries(20) as few:
        read_csv(client.get(EXPORT_URL))
    many_pairs(cohort, 500)
    with django_assert_max_num_queries(len(few.captured_queries)):
        rows = read_csv(client.get(EXPORT_URL))
    assert len(rows) == 504 * 6


def test_the_meeting_list_takes_the_same_queries_for_500_meetings_as_for_a_few(
    client, staff, pairs, cohort, django_assert_max_num_queries
):
    client.force_login(staff)
    with django_assert_max_num_queries(30) as few:
        client.get(MEETINGS_URL)
    many_pairs(cohort, 500)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MEETINGS_URL)
    assert len(response.context["cl"].result_list) == 100
    assert "Bulk998 Member &amp; Bulk999 Member" in response.content.decode()


# --- The pair page ----------------------------------------------------------------------------


@pytest.fixture
def private_pair(pairs):
    """A pair that wrote something in every private field."""
    pair = pairs["on_track"]
    Meeting.objects.filter(match=pair).update(
        topics=SECRETS[1], notes=SECRETS[2], next_steps=SECRETS[3]
    )
    MeetingFactory(
        match=pair,
        status="planned",
        starts_at=NOW + timedelta(days=5),
        duration_minutes=45,
        format="phone",
        agenda=SECRETS[0],
        video_link=SECRETS[4],
    )
    Goal.objects.create(match=pair, title=SECRETS[5], description=SECRETS[6])
    return pair


def test_the_pair_page_shows_facts_and_counts_but_nothing_the_pair_wrote(
    client, staff, private_pair
):
    client.force_login(staff)
    response = client.get(reverse("admin:meetings_pair_change", args=[private_pair.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Olivia Mentor", "Otto Mentee", "Pilot 2026", "America/Denver"):
        assert text in content
    assert "2 h 30 min of 6 h" in content
    assert "On track" in content
    assert "November 2026" in content and "1 h 30 min" in content
    assert "Minimum met" in content and "Upcoming" in content
    assert "Video call" in content and "Phone" in content and "45 min" in content
    assert "Planned" in content and "Held" in content
    assert "October 8, 2026" in content  # the day it counts on
    assert response.context["goal_counts"] == [
        ("Not started", 1),
        ("In progress", 1),
        ("Achieved", 2),
        ("Dropped", 1),
    ]
    for secret in SECRETS:
        assert secret not in content
    assert_valid_html(response.content, context="pair page")


def test_the_meeting_list_and_form_show_no_private_text(client, staff, private_pair):
    client.force_login(staff)
    listing = client.get(MEETINGS_URL)
    assert "Olivia Mentor &amp; Otto Mentee" in listing.content.decode()
    meeting = Meeting.objects.filter(match=private_pair, status="planned").get()
    form = client.get(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert form.status_code == 200
    for secret in SECRETS:
        assert secret not in listing.content.decode()
        assert secret not in form.content.decode()
    assert_valid_html(form.content, context="meeting correction form")


def test_an_approved_pair_links_to_ending_it_early_and_an_ended_one_does_not(client, staff, pairs):
    client.force_login(staff)
    active = client.get(reverse("admin:meetings_pair_change", args=[pairs["at_risk"].pk]))
    end_url = reverse("admin:matching_match_end", args=[pairs["at_risk"].pk])
    assert f'href="{end_url}"' in active.content.decode()
    ended = client.get(reverse("admin:meetings_pair_change", args=[pairs["ended"].pk]))
    assert "End this pair early" not in ended.content.decode()
    assert "The mentee left the program." in ended.content.decode()

    client.post(end_url, {"reason": "Moved abroad."})
    pairs["at_risk"].refresh_from_db()
    assert pairs["at_risk"].status == Match.Status.ENDED
    after = client.get(PAIRS_URL, {"progress": "ended"})
    assert mentors_listed(after) == {"Edna Mentor", "Rita Mentor"}


def test_the_workspace_link_shows_only_to_staff_allowed_to_see_workspaces(client, pairs):
    pair = pairs["on_track"]
    url = reverse("admin:meetings_pair_change", args=[pair.pk])
    workspace = reverse("meetings:workspace", args=[pair.pk])

    client.force_login(a_staff_member("view_pair"))
    page = client.get(url)
    assert page.status_code == 200
    assert workspace not in page.content.decode()
    assert "End this pair early" not in page.content.decode()  # no right to change matches

    client.force_login(a_staff_member("view_pair", "view_pair_workspace"))
    assert f'href="{workspace}"' in client.get(url).content.decode()


def test_members_and_anonymous_visitors_are_sent_to_the_admin_login(client, pairs):
    urls = [
        PAIRS_URL,
        EXPORT_URL,
        reverse("admin:meetings_pair_change", args=[pairs["on_track"].pk]),
        MEETINGS_URL,
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    client.force_login(pairs["on_track"].mentee.member)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_staff_without_the_pair_permission_cannot_export(client, pairs):
    client.force_login(a_staff_member("view_meeting"))
    assert client.get(EXPORT_URL).status_code == 403
    assert client.get(PAIRS_URL).status_code == 403


# --- Correcting meetings --------------------------------------------------------------------


def correction(meeting: Meeting, **changes) -> dict:
    data = {
        "starts_at": timezone.localtime(meeting.starts_at, NEW_YORK).strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": meeting.duration_minutes,
        "format": meeting.format,
        "status": meeting.status,
    }
    return {**data, **changes}


def test_staff_mark_a_planned_meeting_held_and_it_counts_on_its_day_in_the_mentees_zone(
    client, staff, pairs
):
    pair = pairs["at_risk"]
    meeting = MeetingFactory(
        match=pair, status="planned", starts_at=datetime(2026, 11, 28, 10, tzinfo=DENVER)
    )
    client.force_login(staff)  # no profile: the admin shows New York time
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    # 1:00 on December 1 in New York is still November 30 in Denver, the mentee's zone.
    response = client.post(
        url,
        correction(meeting, starts_at="2026-12-01T01:00", status="held", duration_minutes=75),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert meeting.held_on == date(2026, 11, 30)
    assert meeting.duration_minutes == 75
    assert meeting.logged_by == staff and meeting.logged_at == NOW
    listing = client.get(PAIRS_URL, {"q": "Rex"})
    assert rows_of(listing)["Rita Mentor"][:3] == ["2 h 15 min of 6 h", "2 of 6", "On track"]
    history = client.get(reverse("admin:meetings_meeting_history", args=[meeting.pk]))
    assert "Changed" in history.content.decode()


def test_a_correction_moves_a_held_meeting_to_another_month_and_keeps_its_log(client, staff, pairs):
    meeting = Meeting.objects.get(match=pairs["at_risk"])
    logged_by = meeting.logged_by
    client.force_login(staff)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    client.post(url, correction(meeting, starts_at="2026-11-03T14:00"))
    meeting.refresh_from_db()
    assert meeting.held_on == date(2026, 11, 3)
    assert meeting.logged_by == logged_by


def test_cancelling_a_held_meeting_takes_it_off_the_ledger(client, staff, pairs):
    meeting = Meeting.objects.get(match=pairs["at_risk"])
    client.force_login(staff)
    client.post(
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        correction(meeting, status="cancelled"),
    )
    meeting.refresh_from_db()
    assert (meeting.status, meeting.held_on) == ("cancelled", None)
    assert rows_of(client.get(PAIRS_URL, {"q": "Rex"}))["Rita Mentor"][0] == "0 min of 6 h"


@pytest.mark.parametrize(("minutes", "error"), [(2, "at least 5"), (400, "at most 300")])
def test_a_duration_out_of_bounds_is_refused_next_to_the_field(
    client, staff, pairs, minutes, error
):
    meeting = Meeting.objects.get(match=pairs["at_risk"])
    client.force_login(staff)
    response = client.post(
        reverse("admin:meetings_meeting_change", args=[meeting.pk]),
        correction(meeting, duration_minutes=minutes),
    )
    assert response.status_code == 200
    assert error in " ".join(response.context["form"].errors["duration_minutes"])
    assert_valid_html(response.content, context="meeting form with an error")
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 60


def test_a_meeting_cannot_be_marked_held_in_the_future_nor_outside_the_period(client, staff, pairs):
    meeting = MeetingFactory(
        match=pairs["at_risk"], status="planned", starts_at=NOW + timedelta(days=2)
    )
    client.force_login(staff)
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    response = client.post(url, correction(meeting, status="held"))
    assert "once it has taken place" in response.content.decode()
    response = client.post(url, correction(meeting, starts_at="2026-09-15T12:00"))
    assert "pick a date in the mentorship period" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == "planned" and meeting.starts_at == NOW + timedelta(days=2)


def test_a_correction_onto_another_meetings_time_is_refused(client, staff, pairs):
    first, second = Meeting.objects.filter(match=pairs["on_track"]).order_by("starts_at")
    client.force_login(staff)
    response = client.post(
        reverse("admin:meetings_meeting_change", args=[second.pk]),
        correction(second, starts_at=correction(first)["starts_at"]),
    )
    assert response.status_code == 200
    assert "already logged a meeting" in response.content.decode()


def test_staff_who_may_only_view_meetings_cannot_correct_them(client, pairs):
    meeting = Meeting.objects.get(match=pairs["at_risk"])
    client.force_login(a_staff_member("view_meeting"))
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    page = client.get(url)
    assert page.status_code == 200 and "Save the correction" not in page.content.decode()
    assert client.post(url, correction(meeting, duration_minutes=90)).status_code == 403
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 60


def test_only_superusers_may_delete_a_meeting_and_nobody_adds_one(client, pairs):
    meeting = Meeting.objects.get(match=pairs["at_risk"])
    delete_url = reverse("admin:meetings_meeting_delete", args=[meeting.pk])
    client.force_login(a_staff_member("view_meeting", "change_meeting", "delete_meeting"))
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:meetings_meeting_add")).status_code == 403
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.post(delete_url, {"post": "yes"})
    assert not Meeting.objects.filter(pk=meeting.pk).exists()


# --- In a browser ---------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_find_a_pair_at_risk_read_its_page_and_correct_a_meeting_in_chromium(page):
    cohort = ActiveCohortFactory(name="Pilot 2026")
    pair = a_pair(cohort, "Rita", "Rex")
    meeting = held(pair, date(2026, 10, 8), 60, notes=SECRETS[2])
    on_track = a_pair(cohort, "Olivia", "Otto")
    held(on_track, date(2026, 10, 8), 90)
    held(on_track, date(2026, 11, 5), 90)
    staff = StaffFactory()

    # The admin sends people to the site's sign-in page, where a second factor is asked.
    page.goto("/admin/")
    field(page, "Email").fill(staff.email)
    field(page, "Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(PAIRS_URL)
    page.get_by_role("link", name="At risk").click()
    expect(page.get_by_role("row").filter(has_text="Rita Mentor")).to_contain_text("1 h of 6 h")
    expect(page.get_by_role("row").filter(has_text="Olivia Mentor")).to_have_count(0)
    # Validate before axe adds its script to the page.
    assert_valid_html(page.content(), context="pairs at risk")
    assert_accessible(page, context="pairs at risk")

    page.get_by_role("link", name="Rita Mentor").click()
    expect(page.get_by_role("table", name="Hours month by month")).to_contain_text("October 2026")
    assert_accessible(page, context="pair page")

    page.get_by_role("link", name="October 8, 2026").click()
    page.get_by_label("Duration (minutes)").fill("400")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("A meeting lasts at most 300 minutes.")).to_be_visible()
    assert_accessible(page, context="meeting correction with an error")
    page.get_by_label("Duration (minutes)").fill("90")
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_text("was corrected")).to_be_visible()
    assert SECRETS[2] not in page.content()
    meeting.refresh_from_db()
    assert meeting.duration_minutes == 90
