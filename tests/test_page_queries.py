"""Every page `benchmarks/pages.py` measures costs the same number of queries at two data sizes:
the home page, a cohort's page, the pair workspace, the meetings page, a goal's page,
*My applications*, the admin applications list and the admin match list.

Each test requests the page with a few rows, then with many more, and holds the second request
to the first one's count. (The admin run page's own test is in `tests/matching/test_admin.py`.)
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from applications.models import Application
from matching.models import Match
from matching.runs import match_run_execute, match_run_start
from meetings.models import ActionItem, Goal, GoalComment
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ApplicationFactory,
    CohortFactory,
    MeetingFactory,
    MemberFactory,
    PairFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

DENVER = ZoneInfo("America/Denver")


def _same_queries_at_two_sizes(django_assert_max_num_queries, get, grow, ceiling: int) -> None:
    with django_assert_max_num_queries(ceiling) as few:
        assert get().status_code == 200
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert get().status_code == 200


def test_the_admin_match_list_takes_the_same_queries_for_3_pairs_as_for_30(
    client, django_assert_max_num_queries
):
    # Pairs proposed by runs, whose "run" column names the run's cohort.
    client.force_login(StaffFactory(is_superuser=True))
    url = reverse("admin:matching_match_changelist")

    def cohort_with_a_run(pairs: int) -> None:
        cohort = SelectionCohortFactory(min_match_score=0)
        for _ in range(pairs):
            AcceptedMentorFactory(cohort=cohort)
            AcceptedFactory(cohort=cohort)
        run = match_run_start(cohort=cohort, enqueue=False)
        match_run_execute(run_id=run.pk)

    cohort_with_a_run(3)
    assert Match.objects.filter(run__isnull=False).count() == 3
    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        lambda: client.get(url, {"all": ""}),
        lambda: cohort_with_a_run(27),
        ceiling=20,
    )
    assert Match.objects.filter(run__isnull=False).count() == 30


def test_the_admin_applications_list_takes_the_same_queries_for_3_as_for_60(
    client, django_assert_max_num_queries
):
    client.force_login(StaffFactory(is_superuser=True))
    cohort = CohortFactory()
    ApplicationFactory.create_batch(3, cohort=cohort)
    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        lambda: client.get(reverse("admin:applications_application_changelist"), {"all": ""}),
        lambda: ApplicationFactory.create_batch(57, cohort=cohort),
        ceiling=20,
    )


def test_my_applications_takes_the_same_queries_for_2_as_for_30(
    client, django_assert_max_num_queries
):
    member = MemberFactory()
    client.force_login(member)

    def apply(n: int) -> None:
        for _ in range(n):
            ApplicationFactory(member=member, cohort=CohortFactory())

    apply(2)
    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        lambda: client.get(reverse("applications:mine")),
        lambda: apply(28),
        ceiling=12,
    )


def test_the_pair_workspace_takes_the_same_queries_for_a_new_pair_as_for_a_busy_one(
    client, django_assert_max_num_queries
):
    pair = PairFactory()
    client.force_login(pair.mentee.member)
    start = datetime(2026, 12, 20, 17, tzinfo=DENVER)

    def busy() -> None:
        held_from = datetime(2026, 10, 10, 17, tzinfo=DENVER)
        for day in range(60):
            MeetingFactory(match=pair, starts_at=held_from + timedelta(days=day))
        for day in range(5):
            MeetingFactory(match=pair, status="planned", starts_at=start + timedelta(days=day))
        for n in range(10):
            goal = Goal.objects.create(match=pair, title=f"Goal {n}")
            ActionItem.objects.bulk_create(
                ActionItem(goal=goal, title=f"Step {i}") for i in range(5)
            )

    MeetingFactory(match=pair, starts_at=datetime(2026, 10, 8, 17, tzinfo=DENVER))
    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        lambda: client.get(reverse("meetings:workspace", args=[pair.pk])),
        busy,
        ceiling=16,
    )


def test_the_home_page_takes_the_same_queries_for_1_open_cohort_as_for_20(
    client, django_assert_max_num_queries
):
    # Rendered each time: the cache that serves it to visitors without cookies is emptied.
    def get():
        cache.clear()
        return client.get(reverse("home"))

    CohortFactory(name="Open cohort 0")
    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        get,
        lambda: [CohortFactory(name=f"Open cohort {n}") for n in range(1, 20)],
        ceiling=4,
    )
    assert get().content.decode().count("Open cohort ") == 20


def test_a_cohort_page_takes_the_same_queries_for_a_member_whatever_the_cohort_holds(
    client, django_assert_max_num_queries
):
    cohort = CohortFactory()
    member = MemberFactory()
    ApplicationFactory(member=member, cohort=cohort)
    client.force_login(member)
    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        lambda: client.get(reverse("cohorts:detail", args=[cohort.slug])),
        lambda: ApplicationFactory.create_batch(30, cohort=cohort),
        ceiling=8,
    )
    assert cohort.applications.count() == 31


@time_machine.travel(datetime(2026, 11, 30, 9, tzinfo=DENVER), tick=False)
def test_the_meetings_page_takes_the_same_queries_for_1_meeting_as_for_60(
    client, django_assert_max_num_queries
):
    pair = PairFactory()
    client.force_login(pair.mentor.member)
    url = reverse("meetings:meetings", args=[pair.pk])
    MeetingFactory(match=pair, starts_at=datetime(2026, 10, 8, 17, tzinfo=DENVER))

    def busy() -> None:
        held_from = datetime(2026, 10, 10, 17, tzinfo=DENVER)
        for day in range(45):
            MeetingFactory(match=pair, starts_at=held_from + timedelta(days=day))
        for day in range(5):  # planned, and their time has passed: overdue
            MeetingFactory(
                match=pair,
                status="planned",
                starts_at=datetime(2026, 11, 25, 7, tzinfo=DENVER) + timedelta(days=day),
            )
        for day in range(5):
            MeetingFactory(
                match=pair,
                status="planned",
                starts_at=datetime(2027, 3, 1, 17, tzinfo=DENVER) + timedelta(days=day),
            )
        for day in range(4):
            MeetingFactory(
                match=pair,
                status="cancelled",
                starts_at=datetime(2026, 12, 1, 17, tzinfo=DENVER) + timedelta(days=day),
            )

    _same_queries_at_two_sizes(django_assert_max_num_queries, lambda: client.get(url), busy, 10)
    response = client.get(url)
    assert [
        len(response.context[part]) for part in ("upcoming", "overdue", "held", "cancelled")
    ] == [
        5,
        5,
        46,
        4,
    ]


def test_a_goal_page_takes_the_same_queries_for_1_step_as_for_30_steps_and_30_comments(
    client, django_assert_max_num_queries
):
    pair = PairFactory()
    client.force_login(pair.mentee.member)
    goal = Goal.objects.create(match=pair, title="Prepare for residency interviews")
    ActionItem.objects.create(goal=goal, title="Step 0")
    url = reverse("meetings:goal", args=[pair.pk, goal.pk])

    def busy() -> None:
        ActionItem.objects.bulk_create(
            ActionItem(goal=goal, title=f"Step {n}") for n in range(1, 30)
        )
        # Both members comment, so each comment's author is one of two people.
        GoalComment.objects.bulk_create(
            GoalComment(goal=goal, author=member, body=f"Comment {n}")
            for n in range(30)
            for member in [(pair.mentee.member, pair.mentor.member)[n % 2]]
        )

    _same_queries_at_two_sizes(django_assert_max_num_queries, lambda: client.get(url), busy, 12)
    content = client.get(url).content.decode()
    assert content.count("Step ") >= 30 and content.count("Comment ") == 30


def test_the_benchmarks_trivial_view_is_not_served_unless_the_benchmark_turns_it_on(client):
    assert client.get("/bench/trivial/").status_code == 404


def test_the_applications_csv_export_takes_the_same_queries_for_3_as_for_30(
    client, django_assert_max_num_queries
):
    # The list loads only the columns it shows; an action reads others (the cohort's slug, the
    # mentees offered), so it must get its applications whole, not one query a row.
    client.force_login(StaffFactory(is_superuser=True))
    cohort = CohortFactory()
    ApplicationFactory.create_batch(3, cohort=cohort)

    def export():
        ids = list(Application.objects.values_list("pk", flat=True))
        return client.post(
            reverse("admin:applications_application_changelist"),
            {"action": "export_csv", "_selected_action": ids},
        )

    _same_queries_at_two_sizes(
        django_assert_max_num_queries,
        export,
        lambda: ApplicationFactory.create_batch(27, cohort=cohort),
        ceiling=25,
    )
    assert export().content.decode().count(cohort.slug) == 30
