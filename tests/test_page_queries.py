"""The slow pages of the performance issue cost the same number of queries at two data sizes:
the admin match list, the admin applications list, the pair workspace and *My applications*.

Each test requests the page with a few rows, then with many more, and holds the second request
to the first one's count. (The admin run page's own test is in `tests/matching/test_admin.py`.)
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from matching.models import Match
from matching.runs import match_run_execute, match_run_start
from meetings.models import ActionItem, Goal
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
    # Pairs proposed by runs: the "run" column names the run's cohort, which must be joined in.
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


def test_the_benchmarks_trivial_view_is_not_served_unless_the_benchmark_turns_it_on(client):
    assert client.get("/bench/trivial/").status_code == 404
