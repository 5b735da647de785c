"""Staff running, reading and deciding matches in admin; members seeing their match."""

import html
import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from applications.models import Interest, PracticeArea
from matching.admin import runs
from matching.decisions import match_create
from matching.models import Match, MatchRun
from matching.runs import match_run_execute, match_run_start
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


def test_a_refused_run_leaves_the_cohorts_weights_as_they_were(client, cohort):
    # The weights and the run are one decision: staff who are told "no" have changed nothing.
    client.force_login(StaffFactory())
    AcceptedFactory(cohort=cohort)  # a mentee and no mentor: the run is refused
    url = reverse("admin:matching_matchrun_start") + f"?cohort={cohort.pk}"
    response = client.post(
        url,
        {
            "weight_background": 10,
            "weight_region": 55,
            "weight_interests": 5,
            "weight_shared_background": 0,
            "min_match_score": 25,
            "algorithm": "optimal",
        },
    )
    assert "has no accepted mentors yet" in response.content.decode()
    cohort.refresh_from_db()
    assert (
        cohort.weight_background,
        cohort.weight_region,
        cohort.weight_interests,
        cohort.weight_shared_background,
        cohort.min_match_score,
    ) == (40, 20, 30, 10, 10)
    assert not MatchRun.objects.exists()


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
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for _ in range(12):
        AcceptedMentorFactory(cohort=cohort)
        AcceptedFactory(cohort=cohort)
    url = reverse("admin:matching_matchrun_change", args=[_run(cohort).pk])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('name="match"') == 13


def _links(content: str, anchor: str) -> dict[str, str]:
    """The result page's Previous/Next links to `anchor` (#pairs-title, #unmatched-title): their
    query strings, as the page writes them relative to itself."""
    found = re.findall(rf'<a href="([^"]*)#{anchor}">(Previous|Next)</a>', content)
    return {label: html.unescape(href) for href, label in found}


def test_a_pairs_row_shows_both_people_the_parts_of_its_score_its_reasons_and_its_decision(
    client, cohort, pair
):
    mentor, mentee = pair
    areas = list(PracticeArea.objects.order_by("order", "name")[:3])
    # Asked for in another order than the areas' own, which the row follows.
    mentee.desired_practice_areas.add(areas[1], areas[0])
    interests = list(Interest.objects.order_by("category", "order", "name")[:2])
    mentor.profile_snapshot = {
        **mentor.profile_snapshot,
        "credentials": "PharmD",
        "practice_areas": [areas[2].pk],
        "interests": [i.pk for i in interests],
    }
    mentor.save()
    previous = _run(cohort)  # so that the next run compares with it
    run = _run(cohort)
    match = Match.objects.get(run=run)
    Match.objects.filter(pk=match.pk).update(
        reasons=["share a self-identified background, as the mentee asked", "both in Utah"],
        components={
            "region": {"points": 50.0, "max": 50.0},
            "shared_background": {"points": 20.0, "max": 20.0},
            "interests": {"points": 0.0, "max": 0.0},
        },
    )
    staff = StaffFactory(first_name="Dana", last_name="Decider")
    client.force_login(staff)
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    client.post(url, {"decision": "approve", "match": [match.pk]})

    content = client.get(url).content.decode()
    assert f"<strong>{mentor.member}</strong>" in content
    assert "Experienced (16-25 years), PharmD<br>" in content
    assert "Utah (America/Denver)<br>" in content
    assert f"Wants: {areas[0].name}, {areas[1].name}<br>" in content
    assert f"Practises in: {areas[2].name}<br>" in content
    assert f"Interests: {interests[0].name}, {interests[1].name}" in content
    assert "<li>Region: 50.0 of 50.0</li>" in content
    assert "<li>Shared background: 20.0 of 20.0</li>" in content
    assert "Interests: 0.0" not in content  # a part worth nothing for this mentee
    assert "<li>both in Utah</li>" in content
    assert 'Approved<br><span class="match-facts">by Dana Decider</span>' in content
    assert "Same as the previous run" in content
    assert f'{previous.pk}/change/">{previous.pk}</a>:' in content
    assert "1 kept, 0 changed, 0 new</dd>" in content

    client.force_login(_staff_without_self_identification())
    content = client.get(url).content.decode()
    assert "<li>Region: 50.0 of 50.0</li>" in content and "<li>both in Utah</li>" in content
    assert "<li>Shared background" not in content and "self-identified" not in content


def test_the_result_page_shows_its_pairs_a_page_at_a_time_in_the_order_chosen(
    client, cohort, monkeypatch
):
    monkeypatch.setattr(runs, "PAIRS_PER_PAGE", 2)
    client.force_login(StaffFactory())
    for state in ("CO", "OH", "TX"):
        AcceptedMentorFactory(cohort=cohort, location=state)
        AcceptedFactory(cohort=cohort, location=state)
    run = _run(cohort)
    Match.objects.filter(run=run).update(score="50.00")
    scores = {}
    for score, match in zip(("90.00", "70.00", "80.00"), Match.objects.order_by("pk"), strict=True):
        Match.objects.filter(pk=match.pk).update(score=score)
        scores[score] = match.pk
    url = reverse("admin:matching_matchrun_change", args=[run.pk])

    first = client.get(url, {"order": "weakest"}).content.decode()
    assert re.findall(r'name="match" value="(\d+)"', first) == [
        str(scores["70.00"]),
        str(scores["80.00"]),
    ]
    assert "Page 1 of 2" in first and "Previous" not in _links(first, "pairs-title")
    following = client.get(url + _links(first, "pairs-title")["Next"]).content.decode()
    assert re.findall(r'name="match" value="(\d+)"', following) == [str(scores["90.00"])]
    assert "Page 2 of 2" in following
    back = _links(following, "pairs-title")["Previous"]
    assert "order=weakest" in back and "page=1" in back


def test_the_unmatched_are_listed_a_page_at_a_time_and_every_one_can_be_reached(
    client, cohort, pair
):
    run = _run(cohort)
    unmatched = [
        {"applicant": 900_000 + n, "role": "mentee", "reason": f"reason {n}"} for n in range(120)
    ]
    unmatched.append({"applicant": pair[1].pk, "role": "mentee", "reason": "no mentor near"})
    MatchRun.objects.filter(pk=run.pk).update(unmatched=unmatched)
    client.force_login(StaffFactory())
    page = reverse("admin:matching_matchrun_change", args=[run.pk])
    query = "?order=weakest"

    seen, pages = [], []
    while query:
        content = client.get(page + query).content.decode()
        rows = re.findall(
            r"<td>(?:Application (\d+)|<a href=[^>]*>([^<]*)</a>)</td><td>Mentee", content
        )
        assert len(rows) <= runs.UNMATCHED_PER_PAGE
        seen += [number or name for number, name in rows]
        pages.append(content)
        query = _links(content, "unmatched-title").get("Next")
        # Paging through the unmatched keeps the order the pairs are shown in.
        assert query is None or "order=weakest" in query
    assert seen == [str(900_000 + n) for n in range(120)] + [str(pair[1].member)]
    assert len(pages) == 3
    assert f"1-{runs.UNMATCHED_PER_PAGE} of 121" in pages[0]
    assert "101-121 of 121" in pages[2]


@pytest.mark.parametrize(
    ("count", "asked", "shown"),
    [
        (101, "3", ["900100"]),
        (101, "99", ["900100"]),
        (51, "x", [str(900_000 + n) for n in range(50)]),
        (0, "2", []),
    ],
)
def test_a_page_of_the_unmatched_is_read_from_the_runs_list(
    client, cohort, pair, count, asked, shown
):
    # The page's items come from the database, not the whole list: the last page of one item,
    # a page number past the end (the last page) or no number (the first), an empty list.
    run = _run(cohort)
    unmatched = [
        {"applicant": 900_000 + n, "role": "mentor", "reason": f"reason {n}"} for n in range(count)
    ]
    MatchRun.objects.filter(pk=run.pk).update(unmatched=unmatched)
    client.force_login(StaffFactory())
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    content = client.get(url, {"unmatched": asked}).content.decode()
    rows = re.findall(r"<td>Application (\d+)</td><td>Mentor</td><td>reason \d+</td>", content)
    assert rows == shown
    if not count:
        assert "Everyone who could be matched was." in content


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


def test_the_match_list_names_each_pairs_run_and_links_each_row_to_its_page(client, cohort, pair):
    client.force_login(StaffFactory())
    run = _run(cohort)
    proposed = Match.objects.get(run=run)
    by_hand = match_create(
        mentor=AcceptedMentorFactory(cohort=cohort),
        mentee=AcceptedFactory(cohort=cohort),
        created_by=StaffFactory(),
    )
    listing = client.get(reverse("admin:matching_match_changelist")).content.decode()
    assert f'<td class="field-run_name">Run {run.pk} of Fall cohort</td>' in listing
    assert '<td class="field-run_name">-</td>' in listing  # made by hand: no run
    for match in (proposed, by_hand):
        assert f'href="{reverse("admin:matching_match_change", args=[match.pk])}"' in listing
    # The run column still sorts, by the runs' own order.
    assert 'class="sortable column-run_name"' in listing
    by_run = client.get(reverse("admin:matching_match_changelist"), {"o": "7"}).content.decode()
    assert 'class="sortable column-run_name sorted ascending"' in by_run


def test_the_match_list_shows_50_pairs_a_page(client, cohort, pair):
    mentor, mentee = pair
    Match.objects.bulk_create(
        Match(cohort=cohort, mentor=mentor, mentee=mentee, score=50, status="rejected")
        for _ in range(51)
    )
    client.force_login(StaffFactory())
    url = reverse("admin:matching_match_changelist")
    first = client.get(url).content.decode()
    assert first.count('name="_selected_action"') == 50
    assert client.get(url, {"p": "2"}).content.decode().count('name="_selected_action"') == 1


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


# --- Matches by hand obey the rules, or say why --------------------------------------------


def _add(client, cohort, mentor, mentee, **extra):
    url = reverse("admin:matching_match_add") + f"?cohort={cohort.pk}"
    return client.post(url, {"mentor": mentor.pk, "mentee": mentee.pk, **extra})


def test_two_people_paired_in_another_cohort_are_not_paired_again_by_hand(client, cohort):
    staff = StaffFactory()
    client.force_login(staff)
    earlier = SelectionCohortFactory(name="Spring cohort", min_match_score=0)
    before = match_create(
        mentor=AcceptedMentorFactory(cohort=earlier, location="UT"),
        mentee=AcceptedFactory(cohort=earlier, location="CO"),
        created_by=staff,
    )
    Match.objects.filter(pk=before.pk).update(notified_at=before.decided_at)
    mentor = AcceptedMentorFactory(cohort=cohort, member=before.mentor.member, location="UT")
    mentee = AcceptedFactory(cohort=cohort, member=before.mentee.member, location="CO")

    for button in ("preview", "create"):
        response = _add(client, cohort, mentor, mentee, **{button: "1"})
        assert response.status_code == 200
        assert (
            f"{mentor.member} and {mentee.member} were already a pair in Spring cohort; the "
            "program does not pair the same two people again."
        ) in response.content.decode()
    assert not Match.objects.filter(cohort=cohort).exists()


def test_a_pair_below_the_minimum_needs_a_confirmation_and_a_reason(client):
    cohort = SelectionCohortFactory(name="Fall cohort", min_match_score=95)
    mentor = AcceptedMentorFactory(cohort=cohort, location="UT")
    mentee = AcceptedFactory(cohort=cohort, location="CO")
    staff = StaffFactory()
    client.force_login(staff)

    preview = _add(client, cohort, mentor, mentee, preview="1").content.decode()
    assert "This pair scores below Fall cohort's minimum of 95." in preview
    assert_valid_html(preview.encode(), context="match by hand, below the minimum")

    refused = _add(client, cohort, mentor, mentee, create="1").content.decode()
    assert "below Fall cohort&#x27;s minimum of 95. To match them anyway, confirm it" in refused
    unconfirmed = _add(client, cohort, mentor, mentee, create="1", below_minimum_reason="Asked.")
    assert "Tick this to make a pair below the minimum score." in unconfirmed.content.decode()
    no_reason = _add(client, cohort, mentor, mentee, create="1", confirm_below_minimum="on")
    assert "Say why you make this pair anyway." in no_reason.content.decode()
    assert not Match.objects.exists()

    made = _add(
        client,
        cohort,
        mentor,
        mentee,
        create="1",
        confirm_below_minimum="on",
        below_minimum_reason="The mentee asked for this mentor by name.",
    )
    match = Match.objects.get()
    assert made.url == reverse("admin:matching_match_change", args=[match.pk])
    assert match.status == "approved" and match.score < 95
    assert match.below_minimum_reason == "The mentee asked for this mentor by name."
    page = client.get(made.url).content.decode()
    assert "The mentee asked for this mentor by name." in page


def test_a_pair_at_or_above_the_minimum_needs_no_reason_and_keeps_none(client, cohort, pair):
    client.force_login(StaffFactory())
    _add(client, cohort, *pair, create="1", confirm_below_minimum="on", below_minimum_reason="x")
    assert Match.objects.get().below_minimum_reason == ""


def _share_a_background(mentor, mentee) -> None:
    """Both opted in with the same self-identified group, and the mentee asked to share it."""
    from applications.models import BackgroundGroup
    from applications.services import profile_snapshot

    group = BackgroundGroup.objects.order_by("pk").first()
    for application in (mentor, mentee):
        profile = application.member.profile
        profile.use_background_in_matching = True
        profile.save()
        profile.background_groups.set([group])
        application.profile_snapshot = profile_snapshot(profile)
        application.wants_shared_background = application.role == "mentee"
        application.save()


def _staff_without_self_identification():
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_match"))
    staff.user_permissions.add(*Permission.objects.filter(codename__endswith="_matchrun"))
    return staff


def test_staff_without_self_identification_see_every_score_without_the_shared_background_part(
    client, cohort
):
    for state in ("CO", "OH"):
        AcceptedMentorFactory(cohort=cohort, location=state)
        AcceptedFactory(cohort=cohort, location=state)
    run = _run(cohort)
    sharing, other = Match.objects.filter(run=run).order_by("pk")
    Match.objects.filter(pk=sharing.pk).update(
        score="80.00",
        components={
            "region": {"points": 50.0, "max": 50.0},
            "shared_background": {"points": 30.0, "max": 30.0},
        },
    )
    Match.objects.filter(pk=other.pk).update(
        score="60.00", components={"region": {"points": 60.0, "max": 100.0}}
    )
    MatchRun.objects.filter(pk=run.pk).update(total_score="140.00", mean_score="70.00")
    result = reverse("admin:matching_matchrun_change", args=[run.pk])
    match_page = reverse("admin:matching_match_change", args=[sharing.pk])

    client.force_login(_staff_without_self_identification())
    content = client.get(result).content.decode()
    assert "80.00" not in content and "140.00" not in content and "70.00" not in content
    assert "total score 110.00, mean 55.00, lowest 50.00" in content
    # Ordered by the score they see: 60 before 50, not the hidden 80 before 60.
    assert content.index(str(other.mentor.member)) < content.index(str(sharing.mentor.member))
    assert "80.00" not in client.get(match_page).content.decode()
    assert "50.00" in client.get(match_page).content.decode()
    listing = client.get(reverse("admin:matching_match_changelist"), {"o": "3"})
    assert "80.00" not in listing.content.decode()
    # The list's default order is theirs too: the hidden points must not show in the order.
    listing = client.get(reverse("admin:matching_match_changelist")).content.decode()
    assert listing.index(str(other.mentor.member)) < listing.index(str(sharing.mentor.member))
    runs = client.get(reverse("admin:matching_matchrun_changelist")).content.decode()
    assert "140.00" not in runs

    client.force_login(StaffFactory())  # a superuser holds every permission
    content = client.get(result).content.decode()
    assert "total score 140.00, mean 70.00" in content
    assert content.index(str(sharing.mentor.member)) < content.index(str(other.mentor.member))
    assert "80.00" in client.get(match_page).content.decode()
    assert "140.00" in client.get(reverse("admin:matching_matchrun_changelist")).content.decode()
    listing = client.get(reverse("admin:matching_match_changelist")).content.decode()
    assert listing.index(str(sharing.mentor.member)) < listing.index(str(other.mentor.member))


def test_a_previewed_score_leaves_out_the_shared_background_for_staff_not_trusted_with_it(
    client, cohort, pair
):
    mentor, mentee = pair
    _share_a_background(mentor, mentee)
    url = reverse("admin:matching_match_add") + f"?cohort={cohort.pk}"
    form = {"mentor": mentor.pk, "mentee": mentee.pk, "preview": "1"}
    client.force_login(StaffFactory())
    trusted = client.post(url, form).context["preview_score"]
    client.force_login(_staff_without_self_identification())
    response = client.post(url, form)

    points = response.context["preview"].components["shared_background"]["points"]
    assert points > 0
    assert response.context["preview_score"] == trusted - Decimal(str(points))
    assert f"Score {trusted}" not in response.content.decode()


def test_unmatched_reasons_quote_no_scores_to_staff_not_trusted_with_self_identification(
    client, cohort, pair
):
    run = _run(cohort)
    MatchRun.objects.filter(pk=run.pk).update(
        unmatched=[
            {
                "applicant": pair[1].pk,
                "role": "mentee",
                "reason": "capacity used by better-fitting pairs: the 2 mentors scoring at least "
                "30 for this mentee were given to others (the best scores 47.25)",
            }
        ]
    )
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    client.force_login(_staff_without_self_identification())
    content = client.get(url).content.decode()
    assert "capacity used by better-fitting pairs" in content
    assert "47.25" not in content and "the 2 mentors" not in content
    client.force_login(StaffFactory())
    assert "the best scores 47.25" in client.get(url).content.decode()


def test_the_result_page_escapes_what_people_wrote_in_its_rows(client, cohort, pair):
    mentor, mentee = pair
    for application, name in ((mentor, "<b>Mentor</b>"), (mentee, 'Ann "<i>" O\'Hara')):
        application.member.first_name = name
        application.member.save()
    mentor.profile_snapshot = {**mentor.profile_snapshot, "credentials": "<script>x()</script>"}
    mentor.save()
    run = _run(cohort)
    Match.objects.filter(run=run).update(reasons=["<img src=x onerror=alert(1)>"])
    # Someone left unmatched, named with markup too.
    MatchRun.objects.filter(pk=run.pk).update(
        unmatched=[{"applicant": mentee.pk, "role": "mentee", "reason": "<u>no</u> mentor"}]
    )
    client.force_login(StaffFactory())
    content = client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).content
    content = content.decode()
    for markup in ("<b>Mentor", "<i>", "<script>x()", "<img src=x", "<u>no</u>"):
        assert markup not in content
    assert "&lt;b&gt;Mentor&lt;/b&gt;" in content
    assert "&lt;script&gt;x()&lt;/script&gt;" in content
    assert "<li>&lt;img src=x onerror=alert(1)&gt;</li>" in content
    assert 'aria-label="Select &lt;b&gt;Mentor&lt;/b&gt;' in content
    assert "Ann &quot;&lt;i&gt;&quot; O&#x27;Hara" in content
    assert "&lt;u&gt;no&lt;/u&gt; mentor" in content
