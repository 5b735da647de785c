"""Matching a cohort from the database: runs, re-runs, exclusions, staff decisions."""

import importlib
import json
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications.models import Interest, PracticeArea
from matching.decisions import match_create, matches_approve, matches_reject
from matching.ending import match_end
from matching.engine import match_compute
from matching.exceptions import MatchingError
from matching.models import Match, MatchRun
from matching.release import matches_release
from matching.runs import match_run_execute, match_run_start
from matching.selectors import cohort_inputs, match_run_changes, match_run_compare
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    # Only region counts, so who fits whom is plain from the states.
    return SelectionCohortFactory(
        weight_background=0, weight_interests=0, weight_shared_background=0, weight_region=10
    )


def _people(cohort, mentors: dict[str, str], mentees: dict[str, str]):
    """Mentors and mentees keyed by a name, each in the given state."""
    return (
        {
            name: AcceptedMentorFactory(cohort=cohort, location=state)
            for name, state in mentors.items()
        },
        {name: AcceptedFactory(cohort=cohort, location=state) for name, state in mentees.items()},
    )


def _run(cohort, staff=None, **kwargs) -> MatchRun:
    run = match_run_start(cohort=cohort, started_by=staff, enqueue=False, **kwargs)
    match_run_execute(run_id=run.pk)
    run.refresh_from_db()
    return run


def _pairs(run) -> set[tuple[int, int]]:
    return set(Match.objects.filter(run=run).values_list("mentor_id", "mentee_id"))


def test_a_run_proposes_the_best_pairs_and_records_what_it_did(
    cohort, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "oh": "OH"}, {"oh": "OH", "co": "CO"})
    with django_capture_on_commit_callbacks(execute=True):
        run = match_run_start(cohort=cohort, started_by=staff)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE
    assert _pairs(run) == {
        (mentors["co"].pk, mentees["co"].pk),
        (mentors["oh"].pk, mentees["oh"].pk),
    }
    assert run.started_by == staff
    assert run.weights["region"] == 10 and run.weights["min_score"] == cohort.min_match_score
    assert (run.mentors, run.mentees, run.mentor_slots) == (2, 2, 2)
    assert run.pairs_proposed == 2
    assert float(run.total_score) == 200.0 and float(run.min_score) == 100.0
    assert run.unmatched == []
    match = Match.objects.get(run=run, mentee=mentees["co"])
    assert match.status == Match.Status.PROPOSED
    assert "both in Colorado" in match.reasons
    assert match.components["region"] == {"points": 100.0, "max": 100.0}


def test_every_unmatched_applicant_carries_a_reason(cohort):
    cohort.min_match_score = 60
    cohort.save()
    mentors, mentees = _people(cohort, {"co": "CO", "fl": "FL"}, {"co1": "CO", "co2": "CO"})
    # Florida is far from Colorado (no shared region or time zone): below the minimum.
    run = _run(cohort)
    reasons = {u["applicant"]: u["reason"] for u in run.unmatched}
    assert run.unmatched_mentees == 1 and run.unmatched_mentors == 1
    left_mentee = next(pk for pk in reasons if pk in {m.pk for m in mentees.values()})
    assert reasons[left_mentee].startswith("capacity used by better-fitting pairs")
    assert reasons[mentors["fl"].pk].startswith(
        "no mentee scores at or above the minimum of 60 with this mentor"
    )


def test_a_mentee_below_the_minimum_with_everyone_is_told_so(cohort):
    _people(cohort, {"fl": "FL"}, {"co": "CO"})
    cohort.min_match_score = 50
    cohort.save()
    result = match_compute(cohort=cohort)
    assert result.pairs == []
    (mentee,) = [u for u in result.unmatched if u.role == "mentee"]
    assert mentee.reason == (
        "no mentor scores at or above the minimum of 50 for this mentee (the best scores 0.00)"
    )


def test_a_mentor_takes_as_many_mentees_as_offered_within_the_cohort_maximum(cohort):
    cohort.max_mentees_per_mentor = 2
    cohort.save()
    mentor = AcceptedMentorFactory(cohort=cohort, location="CO", mentee_capacity=2)
    for _ in range(3):
        AcceptedFactory(cohort=cohort, location="CO")
    run = _run(cohort)
    assert run.mentor_slots == 2
    assert Match.objects.filter(run=run, mentor=mentor).count() == 2
    assert run.unmatched_mentees == 1


def test_only_accepted_applicants_are_matched(cohort):
    mentors, mentees = _people(cohort, {"co": "CO"}, {"co": "CO"})
    for status in ("withdrawn", "declined", "waitlisted", "submitted"):
        AcceptedFactory(cohort=cohort, location="CO", status=status)
    run = _run(cohort)
    assert _pairs(run) == {(mentors["co"].pk, mentees["co"].pk)}
    assert run.mentees == 1


def test_a_re_run_keeps_approved_matches_and_fills_the_rest(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "oh": "OH"}, {"co": "CO", "oh": "OH"})
    first = _run(cohort, staff)
    kept = Match.objects.get(run=first, mentee=mentees["co"])
    matches_approve(match_ids=[kept.pk], approved_by=staff)
    late = AcceptedFactory(cohort=cohort, location="OH")
    second = _run(cohort, staff)
    assert second.approved_kept == 1
    assert second.mentees == 3
    assert Match.objects.filter(run=second, mentee=mentees["co"]).count() == 0
    kept.refresh_from_db()
    assert kept.status == Match.Status.APPROVED
    # The first run's other proposal was waiting for a decision: the new run replaces it.
    assert Match.objects.filter(run=first, status=Match.Status.SUPERSEDED).count() == 1
    assert Match.objects.filter(run=second).count() == 1
    assert Match.objects.filter(run=second, mentor=mentors["oh"]).get().mentee_id in {
        mentees["oh"].pk,
        late.pk,
    }


def test_a_rejected_pair_is_not_proposed_again(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "ut": "UT"}, {"co": "CO"})
    first = _run(cohort)
    proposal = Match.objects.get(run=first)
    assert proposal.mentor == mentors["co"]
    matches_reject(match_ids=[proposal.pk], rejected_by=staff)
    second = _run(cohort)
    assert _pairs(second) == {(mentors["ut"].pk, mentees["co"].pk)}


def test_people_paired_in_an_earlier_cohort_are_not_paired_again(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "ut": "UT"}, {"co": "CO"})
    earlier = SelectionCohortFactory()
    before = match_create(
        mentor=AcceptedMentorFactory(cohort=earlier, member=mentors["co"].member),
        mentee=AcceptedFactory(cohort=earlier, member=mentees["co"].member),
        created_by=staff,
        below_minimum_reason="A pair the earlier cohort's staff chose.",
    )
    matches_release(cohort=earlier)
    match_end(match=before, ended_by=staff, reason="Cohort finished.")
    inputs = cohort_inputs(cohort)
    assert inputs.forbidden == {(mentees["co"].pk, mentors["co"].pk)}
    run = _run(cohort)
    assert _pairs(run) == {(mentors["ut"].pk, mentees["co"].pk)}


def test_the_same_input_gives_the_same_proposals(cohort):
    cohort.weight_interests = 30
    cohort.save()
    interests = list(Interest.objects.all()[:4])
    for i in range(6):
        mentor = AcceptedMentorFactory(cohort=cohort, location=["CO", "UT", "OH"][i % 3])
        mentee = AcceptedFactory(cohort=cohort, location=["OH", "CO", "UT"][i % 3])
        for application, offset in ((mentor, i), (mentee, i + 1)):
            application.profile_snapshot["interests"] = [
                interests[offset % 4].pk,
                interests[(offset * 3) % 4].pk,
            ]
            application.save()
    first = match_compute(cohort=cohort).as_json()
    second = match_compute(cohort=cohort).as_json()
    first.pop("timings"), second.pop("timings")
    assert first == second


def test_the_comparison_says_which_pairs_were_kept_changed_or_new(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "oh": "OH"}, {"co": "CO", "oh": "OH"})
    first = _run(cohort)
    assert first.comparison == {} and match_run_changes(first, {mentees["co"].pk: 1}) == {}
    # Staff reject the Ohio pair, and a second Ohio mentee arrives: the next run keeps the
    # Colorado pair, gives the Ohio mentor to the newcomer, and drops the rejected pair.
    ohio = Match.objects.get(run=first, mentee=mentees["oh"])
    matches_reject(match_ids=[ohio.pk], rejected_by=staff)
    newcomer = AcceptedFactory(cohort=cohort, location="OH")
    second = _run(cohort)
    # Counted when the run was saved, and the same when counted again.
    assert second.comparison == {
        "previous": first.pk,
        "kept": 1,
        "changed": 0,
        "new": 1,
        "dropped": 1,  # the Ohio mentee's rejected pair
    }
    assert match_run_compare(second) == second.comparison
    # A page's rows: only the mentees asked about, against the run the comparison counted.
    pairs = dict(Match.objects.filter(run=second).values_list("mentee_id", "mentor_id"))
    assert match_run_changes(second, pairs) == {mentees["co"].pk: "kept", newcomer.pk: "new"}
    assert match_run_changes(second, {newcomer.pk: pairs[newcomer.pk]}) == {newcomer.pk: "new"}
    # The Colorado mentee given the Ohio mentor would be a change.
    assert match_run_changes(second, {mentees["co"].pk: mentors["oh"].pk}) == {
        mentees["co"].pk: "changed"
    }


def test_runs_saved_before_the_comparison_was_kept_get_it_from_the_migration(cohort):
    migration = importlib.import_module("matching.migrations.0008_run_comparison")
    _people(cohort, {"co": "CO", "oh": "OH"}, {"co": "CO", "oh": "OH"})
    runs = [_run(cohort), _run(cohort), _run(cohort)]
    counted = [run.comparison for run in runs]
    assert counted[0] == {} and counted[1]["previous"] == runs[0].pk
    assert counted[2]["previous"] == runs[1].pk and counted[2]["kept"] == 2
    MatchRun.objects.update(comparison={})
    migration.count_earlier_runs(django_apps, None)
    assert [run.comparison for run in MatchRun.objects.order_by("pk")] == counted


def test_a_second_run_while_one_is_unfinished_is_refused_until_it_goes_stale(cohort):
    _people(cohort, {"co": "CO"}, {"co": "CO"})
    queued = match_run_start(cohort=cohort, enqueue=False)
    with pytest.raises(MatchingError, match="already queued"):
        match_run_start(cohort=cohort, enqueue=False)
    later = timezone.now() + timedelta(hours=2)
    fresh = match_run_start(cohort=cohort, enqueue=False, now=later)
    queued.refresh_from_db()
    assert queued.status == MatchRun.Status.FAILED
    assert "time limit" in queued.error
    assert fresh.status == MatchRun.Status.QUEUED


def test_the_database_allows_one_unfinished_run_per_cohort(cohort):
    MatchRun.objects.create(cohort=cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        MatchRun.objects.create(cohort=cohort, status=MatchRun.Status.RUNNING)


def test_a_run_needs_accepted_mentors_and_mentees(cohort):
    AcceptedFactory(cohort=cohort)
    with pytest.raises(MatchingError, match="no accepted mentors yet"):
        match_run_start(cohort=cohort, enqueue=False)
    assert not MatchRun.objects.exists()


def test_a_finished_cohort_cannot_be_matched(cohort):
    _people(cohort, {"co": "CO"}, {"co": "CO"})
    after = timezone.now() + timedelta(days=400)
    with pytest.raises(MatchingError, match="has finished"):
        match_run_start(cohort=cohort, enqueue=False, now=after)


def test_a_run_is_executed_once_however_often_the_task_is_delivered(cohort):
    _people(cohort, {"co": "CO"}, {"co": "CO"})
    run = match_run_start(cohort=cohort, enqueue=False)
    assert match_run_execute(run_id=run.pk) is not None
    assert match_run_execute(run_id=run.pk) is None
    assert Match.objects.count() == 1


def test_a_run_that_cannot_reach_the_broker_says_so(cohort, django_capture_on_commit_callbacks):
    _people(cohort, {"co": "CO"}, {"co": "CO"})
    with (
        mock.patch("matching.tasks.run_matching.delay", side_effect=ConnectionError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = match_run_start(cohort=cohort)
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert "task queue could not be reached" in run.error


def test_a_run_that_crashes_is_marked_failed_with_the_error(cohort):
    _people(cohort, {"co": "CO"}, {"co": "CO"})
    run = match_run_start(cohort=cohort, enqueue=False)
    with mock.patch("matching.engine.score_matrix", side_effect=MemoryError("too big")):
        assert match_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert run.error == "MemoryError: too big"


# --- Approval --------------------------------------------------------------------------------


def _proposal(mentor, mentee, **kwargs) -> Match:
    return Match.objects.create(
        cohort=mentee.cohort, mentor=mentor, mentee=mentee, score=50, **kwargs
    )


def test_approving_takes_a_mentor_place_and_records_who_and_when(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO"}, {"co": "CO"})
    proposal = _proposal(mentors["co"], mentees["co"])
    (approved,) = matches_approve(match_ids=[proposal.pk], approved_by=staff)
    approved.refresh_from_db()
    assert approved.status == Match.Status.APPROVED
    assert (approved.mentor_slot, approved.mentor_capacity) == (1, 1)
    assert approved.decided_by == staff and approved.decided_at is not None
    assert approved.notified_at is None  # approval sends nothing


def test_approving_beyond_a_mentors_places_is_refused_and_changes_nothing(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO"}, {"a": "CO", "b": "CO"})
    first = _proposal(mentors["co"], mentees["a"])
    second = _proposal(mentors["co"], mentees["b"])
    with pytest.raises(MatchingError, match="has no free place left \\(1 of 1 taken\\)"):
        matches_approve(match_ids=[first.pk, second.pk], approved_by=staff)
    assert not Match.objects.approved().exists()


def test_a_mentee_with_an_approved_match_cannot_get_a_second(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "ut": "UT"}, {"co": "CO"})
    first = _proposal(mentors["co"], mentees["co"])
    second = _proposal(mentors["ut"], mentees["co"], run=None)
    matches_approve(match_ids=[first.pk], approved_by=staff)
    with pytest.raises(MatchingError, match="already has an approved match"):
        matches_approve(match_ids=[second.pk], approved_by=staff)


def test_only_proposals_can_be_approved_or_rejected(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO"}, {"co": "CO"})
    match = _proposal(mentors["co"], mentees["co"], status=Match.Status.REJECTED)
    with pytest.raises(MatchingError, match="is rejected, not proposed"):
        matches_approve(match_ids=[match.pk], approved_by=staff)
    with pytest.raises(MatchingError, match="is rejected, not proposed"):
        matches_reject(match_ids=[match.pk], rejected_by=staff)


def test_an_application_withdrawn_after_the_run_cannot_be_approved(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO"}, {"co": "CO"})
    proposal = _proposal(mentors["co"], mentees["co"])
    mentees["co"].status = "withdrawn"
    mentees["co"].save()
    with pytest.raises(MatchingError, match="no longer accepted"):
        matches_approve(match_ids=[proposal.pk], approved_by=staff)


def test_the_database_refuses_a_second_approved_match_for_a_mentee(cohort):
    mentors, mentees = _people(cohort, {"co": "CO", "ut": "UT"}, {"co": "CO"})
    approved = {"status": "approved", "mentor_slot": 1, "mentor_capacity": 1}
    _proposal(mentors["co"], mentees["co"], **approved)
    with pytest.raises(IntegrityError), transaction.atomic():
        _proposal(mentors["ut"], mentees["co"], **approved)


def test_the_database_refuses_a_mentor_over_capacity(cohort):
    mentors, mentees = _people(cohort, {"co": "CO"}, {"a": "CO", "b": "CO"})
    _proposal(mentors["co"], mentees["a"], status="approved", mentor_slot=1, mentor_capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _proposal(mentors["co"], mentees["b"], status="approved", mentor_slot=1, mentor_capacity=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        _proposal(mentors["co"], mentees["b"], status="approved", mentor_slot=2, mentor_capacity=1)


# --- By hand, and ending ---------------------------------------------------------------------


def test_staff_make_a_match_by_hand_with_its_score_and_reasons(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"ut": "UT"}, {"co": "CO"})
    match = match_create(mentor=mentors["ut"], mentee=mentees["co"], created_by=staff)
    assert match.status == Match.Status.APPROVED
    assert float(match.score) == 75.0  # same Census division, region only
    assert match.reasons[0] == "both in the Mountain division"
    assert match.reasons[-1] == "matched by hand by staff"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("other_cohort", "must be in the same cohort"),
        ("not_accepted", "Only accepted applicants can be matched"),
        ("roles", "Choose a mentor's application and a mentee's application"),
    ],
)
def test_a_match_by_hand_is_validated(cohort, change, message):
    staff = StaffFactory()
    mentor = AcceptedMentorFactory(cohort=cohort)
    mentee = AcceptedFactory(cohort=cohort)
    if change == "other_cohort":
        mentee = AcceptedFactory()
    elif change == "not_accepted":
        mentee.status = "waitlisted"
        mentee.save()
    else:
        mentor, mentee = mentee, mentor
    with pytest.raises(MatchingError, match=message):
        match_create(mentor=mentor, mentee=mentee, created_by=staff)
    assert not Match.objects.exists()


def test_a_match_by_hand_respects_capacity_and_existing_matches(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO", "ut": "UT"}, {"a": "CO", "b": "CO"})
    match_create(mentor=mentors["co"], mentee=mentees["a"], created_by=staff)
    with pytest.raises(MatchingError, match="no free place left"):
        match_create(mentor=mentors["co"], mentee=mentees["b"], created_by=staff)
    with pytest.raises(MatchingError, match="already has an approved match"):
        match_create(mentor=mentors["ut"], mentee=mentees["a"], created_by=staff)


def test_ending_a_match_needs_a_reason_and_frees_the_place(cohort):
    staff = StaffFactory()
    mentors, mentees = _people(cohort, {"co": "CO"}, {"a": "CO", "b": "CO"})
    match = match_create(mentor=mentors["co"], mentee=mentees["a"], created_by=staff)
    with pytest.raises(MatchingError, match="Say why"):
        match_end(match=match, ended_by=staff, reason="  ")
    match_end(match=match, ended_by=staff, reason="The mentee left the program.")
    match.refresh_from_db()
    assert match.status == Match.Status.ENDED and match.end_reason
    replacement = match_create(mentor=mentors["co"], mentee=mentees["b"], created_by=staff)
    assert replacement.mentor_slot == 1
    with pytest.raises(MatchingError, match="Only an approved match can be ended"):
        match_end(match=match, ended_by=staff, reason="Again.")


# --- Reading a cohort ------------------------------------------------------------------------


def test_reading_a_cohort_takes_the_same_queries_whatever_its_size(
    cohort, django_assert_max_num_queries
):
    area = PracticeArea.objects.first()
    for _i in range(3):
        AcceptedMentorFactory(cohort=cohort).desired_practice_areas.add(area)
        AcceptedFactory(cohort=cohort).desired_practice_areas.add(area)
    with django_assert_max_num_queries(7) as small:
        cohort_inputs(cohort)
    for _ in range(15):
        AcceptedFactory(cohort=cohort).desired_practice_areas.add(area)
        AcceptedMentorFactory(cohort=cohort)
    with django_assert_max_num_queries(len(small.captured_queries)):
        inputs = cohort_inputs(cohort)
    assert len(inputs.mentees) == 18
    assert all(p.desired_areas == frozenset({area.pk}) for p in inputs.mentees)


# --- The command -----------------------------------------------------------------------------


def test_the_match_command_prints_the_documented_json_and_saves_a_run(cohort):
    mentors, mentees = _people(cohort, {"co": "CO"}, {"co": "CO", "fl": "FL"})
    out = StringIO()
    call_command("match", cohort.slug, "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["cohort"] == cohort.slug
    assert data["algorithm"] == "optimal"
    assert data["total_score"] == 100.0
    assert data["pairs"] == [
        {
            "mentor": mentors["co"].pk,
            "mentee": mentees["co"].pk,
            "score": 100.0,
            "reasons": data["pairs"][0]["reasons"],
            "components": data["pairs"][0]["components"],
        }
    ]
    assert "both in Colorado" in data["pairs"][0]["reasons"]
    assert data["unmatched"] == [
        {"applicant": mentees["fl"].pk, "role": "mentee", "reason": data["unmatched"][0]["reason"]}
    ]
    assert data["mentor_capacity"] == {str(mentors["co"].pk): 1}
    assert MatchRun.objects.get(pk=data["run"]).status == MatchRun.Status.DONE
    assert Match.objects.count() == 1


def test_a_dry_run_saves_nothing_and_greedy_can_be_chosen(cohort):
    _people(cohort, {"co": "CO"}, {"co": "CO"})
    out = StringIO()
    call_command("match", cohort.slug, "--dry-run", "--algorithm", "greedy", stdout=out)
    assert "1 pairs proposed (greedy)" in out.getvalue()
    assert "Dry run: nothing saved." in out.getvalue()
    assert not MatchRun.objects.exists() and not Match.objects.exists()


def test_the_match_command_explains_what_stops_it(cohort):
    with pytest.raises(CommandError, match="No cohort with the slug 'nope'"):
        call_command("match", "nope")
    with pytest.raises(CommandError, match="no accepted mentors or mentees yet"):
        call_command("match", cohort.slug)
