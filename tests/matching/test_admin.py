"""Staff running, reading and deciding matches in admin; members seeing their match."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from matching.models import Match, MatchRun
from matching.services import match_create, match_run_execute, match_run_start
from tests.browser import assert_valid_html
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    SelectionCohortFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return SelectionCohortFactory(name="Fall cohort", min_match_score=10)


@pytest.fixture
def pair(cohort):
    mentor = AcceptedMentorFactory(cohort=cohort, location="UT")
    mentee = AcceptedFactory(cohort=cohort, location="CO")
    return mentor, mentee


def _run(cohort) -> MatchRun:
    run = match_run_start(cohort=cohort, enqueue=False)
    match_run_execute(run_id=run.pk)
    return run


def test_staff_save_weights_and_run_matching_from_admin(
    client, cohort, pair, django_capture_on_commit_callbacks
):
    client.force_login(StaffFactory())
    url = reverse("admin:matching_matchrun_start") + f"?cohort={cohort.pk}"
    page = client.get(url)
    assert b"1 accepted mentee and 1 accepted mentor" in page.content
    assert_valid_html(page.content, context="run matching")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "weight_background": 10,
                "weight_region": 50,
                "weight_interests": 0,
                "weight_shared_background": 0,
                "min_match_score": 20,
                "algorithm": "optimal",
            },
        )
    run = MatchRun.objects.get()
    assert response.url == reverse("admin:matching_matchrun_change", args=[run.pk])
    cohort.refresh_from_db()
    assert (cohort.weight_region, cohort.min_match_score) == (50, 20)
    assert run.weights["region"] == 50
    result = client.get(response.url)
    assert result.status_code == 200
    assert_valid_html(result.content, context="run result")
    content = result.content.decode()
    assert "both in the Mountain division" in content
    assert "1 pair proposed" in content
    assert 'http-equiv="refresh"' not in content


def test_bad_weights_are_shown_next_to_the_field_and_nothing_runs(client, cohort, pair):
    client.force_login(StaffFactory())
    url = reverse("admin:matching_matchrun_start") + f"?cohort={cohort.pk}"
    response = client.post(
        url,
        {
            "weight_background": 0,
            "weight_region": 0,
            "weight_interests": 0,
            "weight_shared_background": 0,
            "min_match_score": 120,
            "algorithm": "optimal",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "At least one matching weight must be above zero." in form.errors["weight_background"]
    assert "min_match_score" in form.errors
    assert not MatchRun.objects.exists()


def test_a_refused_run_is_explained_on_the_page(client, cohort):
    client.force_login(StaffFactory())
    AcceptedFactory(cohort=cohort)
    url = reverse("admin:matching_matchrun_start") + f"?cohort={cohort.pk}"
    response = client.post(
        url,
        {
            "weight_background": 40,
            "weight_region": 20,
            "weight_interests": 30,
            "weight_shared_background": 10,
            "min_match_score": 30,
            "algorithm": "greedy",
        },
    )
    assert "has no accepted mentors yet" in response.content.decode()


def test_a_running_run_page_says_so_politely_and_offers_a_link_instead_of_refreshing(
    client, cohort, pair
):
    # A page that reloads itself every few seconds restarts a screen reader each time.
    client.force_login(StaffFactory())
    run = match_run_start(cohort=cohort, enqueue=False)
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    content = client.get(url).content.decode()
    assert 'http-equiv="refresh"' not in content
    assert '<p role="status">Matching is queued.' in content
    assert f'<a href="{url}">check again</a>' in content


def test_staff_approve_and_reject_pairs_on_the_result_page(client, cohort):
    staff = StaffFactory()
    client.force_login(staff)
    for state in ("CO", "OH"):
        AcceptedMentorFactory(cohort=cohort, location=state)
        AcceptedFactory(cohort=cohort, location=state)
    run = _run(cohort)
    first, second = Match.objects.filter(run=run).order_by("pk")
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    response = client.post(url, {"decision": "approve", "match": [first.pk]}, follow=True)
    assert "1 match approved." in response.content.decode()
    response = client.post(url, {"decision": "reject", "match": [second.pk]}, follow=True)
    assert "1 proposal rejected" in response.content.decode()
    first.refresh_from_db(), second.refresh_from_db()
    assert (first.status, second.status) == ("approved", "rejected")
    assert first.decided_by == staff
    response = client.post(url, {"decision": "approve", "match": [second.pk]}, follow=True)
    assert "Nothing was approved" in response.content.decode()


def test_approve_all_waiting_approves_every_proposal_of_the_run(client, cohort):
    client.force_login(StaffFactory())
    for state in ("CO", "OH", "TX"):
        AcceptedMentorFactory(cohort=cohort, location=state)
        AcceptedFactory(cohort=cohort, location=state)
    run = _run(cohort)
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    client.post(url, {"decision": "approve", "scope": "all"})
    assert Match.objects.approved().count() == 3


def test_staff_without_the_change_permission_cannot_decide(client, cohort, pair):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__startswith="view_match"))
    client.force_login(viewer)
    run = _run(cohort)
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    assert client.get(url).status_code == 200
    assert "Approve selected" not in client.get(url).content.decode()
    match = Match.objects.get()
    assert client.post(url, {"decision": "approve", "match": [match.pk]}).status_code == 403
    assert client.get(reverse("admin:matching_matchrun_start")).status_code == 403
    match.refresh_from_db()
    assert match.status == "proposed"


def test_the_result_page_takes_the_same_queries_whatever_the_number_of_pairs(
    client, cohort, django_assert_max_num_queries
):
    client.force_login(StaffFactory())
    AcceptedMentorFactory(cohort=cohort)
    AcceptedFactory(cohort=cohort)
    _run(cohort)  # so that both measured pages compare with a previous run
    url = reverse("admin:matching_matchrun_change", args=[_run(cohort).pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for _ in range(12):
        AcceptedMentorFactory(cohort=cohort)
        AcceptedFactory(cohort=cohort)
    url = reverse("admin:matching_matchrun_change", args=[_run(cohort).pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('name="match"') == 13


def test_staff_preview_then_make_a_match_by_hand(client, cohort, pair):
    mentor, mentee = pair
    client.force_login(StaffFactory())
    url = reverse("admin:matching_match_add") + f"?cohort={cohort.pk}"
    preview = client.post(url, {"mentor": mentor.pk, "mentee": mentee.pk, "preview": "1"})
    assert_valid_html(preview.content, context="manual match preview")
    content = preview.content.decode()
    assert "Score " in content and "both in the Mountain division" in content
    assert not Match.objects.exists()
    response = client.post(url, {"mentor": mentor.pk, "mentee": mentee.pk, "create": "1"})
    match = Match.objects.get()
    assert response.url == reverse("admin:matching_match_change", args=[match.pk])
    assert match.status == "approved" and match.run is None


def test_a_match_by_hand_only_offers_the_cohorts_accepted_people(client, cohort, pair):
    client.force_login(StaffFactory())
    other = AcceptedFactory()  # another cohort
    url = reverse("admin:matching_match_add") + f"?cohort={cohort.pk}"
    response = client.post(url, {"mentor": pair[0].pk, "mentee": other.pk, "create": "1"})
    assert "Select a valid choice" in response.content.decode()
    assert not Match.objects.exists()


def test_staff_end_a_match_with_a_reason(client, cohort, pair):
    staff = StaffFactory()
    client.force_login(staff)
    match = match_create(mentor=pair[0], mentee=pair[1], created_by=staff)
    change = client.get(reverse("admin:matching_match_change", args=[match.pk]))
    assert "End this match" in change.content.decode()
    url = reverse("admin:matching_match_end", args=[match.pk])
    assert_valid_html(client.get(url).content, context="end match")
    assert "This field is required" in client.post(url, {"reason": ""}).content.decode()
    client.post(url, {"reason": "The mentee left the program."})
    match.refresh_from_db()
    assert match.status == "ended" and match.ended_by == staff


def test_the_match_list_and_its_actions_work(client, cohort, pair):
    client.force_login(StaffFactory())
    run = _run(cohort)
    listing = client.get(reverse("admin:matching_match_changelist"))
    assert listing.status_code == 200
    match = Match.objects.get(run=run)
    client.post(
        reverse("admin:matching_match_changelist"),
        {"action": "approve", "_selected_action": [match.pk]},
    )
    match.refresh_from_db()
    assert match.status == "approved"
    assert client.get(reverse("admin:matching_matchrun_changelist")).status_code == 200


# --- Members ---------------------------------------------------------------------------------


def test_members_see_matching_in_progress_until_the_match_is_released(client, cohort, pair):
    mentor, mentee = pair
    match = match_create(mentor=mentor, mentee=mentee, created_by=StaffFactory())
    url = reverse("matching:my_match", args=[mentee.pk])
    client.force_login(mentee.member)
    page = client.get(url)
    assert "Matching in progress" in page.content.decode()
    assert str(mentor.member) not in page.content.decode()
    assert_valid_html(page.content, context="my match, in progress")

    Match.objects.filter(pk=match.pk).update(notified_at=match.decided_at)
    page = client.get(url)
    content = page.content.decode()
    assert str(mentor.member) in content and mentor.member.email in content
    assert "Both in the Mountain division" in content
    assert_valid_html(page.content, context="my match, released")
    client.force_login(mentor.member)
    assert (
        str(mentee.member)
        in client.get(reverse("matching:my_match", args=[mentor.pk])).content.decode()
    )


def test_a_members_match_page_is_not_found_for_anyone_else(client, cohort, pair):
    mentor, mentee = pair
    match_create(mentor=mentor, mentee=mentee, created_by=StaffFactory())
    url = reverse("matching:my_match", args=[mentee.pk])
    client.force_login(mentor.member)
    assert client.get(url).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_shared_background_reason_is_not_shown_to_members(client, cohort, pair):
    mentor, mentee = pair
    match = match_create(mentor=mentor, mentee=mentee, created_by=StaffFactory())
    Match.objects.filter(pk=match.pk).update(
        notified_at=match.decided_at,
        reasons=["share a self-identified background, as the mentee asked", "both in Utah"],
    )
    client.force_login(mentee.member)
    content = client.get(reverse("matching:my_match", args=[mentee.pk])).content.decode()
    assert "self-identified" not in content and "Both in Utah" in content


def test_only_staff_trusted_with_self_identification_see_the_shared_background_part(
    client, cohort, pair
):
    match = match_create(mentor=pair[0], mentee=pair[1], created_by=StaffFactory())
    Match.objects.filter(pk=match.pk).update(
        reasons=["share a self-identified background, as the mentee asked", "both in Utah"],
        components={
            "region": {"points": 50.0, "max": 50.0},
            "shared_background": {"points": 50.0, "max": 50.0},
        },
    )
    url = reverse("admin:matching_match_change", args=[match.pk])
    plain = StaffFactory(is_superuser=False)
    plain.user_permissions.add(*Permission.objects.filter(codename__endswith="_match"))
    client.force_login(plain)
    content = client.get(url).content.decode()
    assert "both in Utah" in content and "Region: 50.0 of 50.0" in content
    assert "self-identified" not in content and "Shared background" not in content
    client.force_login(StaffFactory())  # a superuser holds every permission
    content = client.get(url).content.decode()
    assert "self-identified" in content and "Shared background: 50.0 of 50.0" in content
