"""Staff approving, releasing and members withdrawing at once, on PostgreSQL where rows really
lock."""

import pytest

from applications.services import ApplicationError, application_decide, application_withdraw
from matching.decisions import match_create, matches_approve
from matching.exceptions import MatchingError
from matching.models import Match
from matching.release import matches_release
from notifications.models import Notification
from tests.concurrency import race
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    PairFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _race(*calls):
    return race(*calls, expected=MatchingError)


def _proposal(mentor, mentee) -> Match:
    return Match.objects.create(cohort=mentee.cohort, mentor=mentor, mentee=mentee, score=50)


def test_two_staff_approving_the_last_mentor_place_at_once_cannot_both_succeed():
    cohort = SelectionCohortFactory()
    mentor = AcceptedMentorFactory(cohort=cohort)
    first = _proposal(mentor, AcceptedFactory(cohort=cohort))
    second = _proposal(mentor, AcceptedFactory(cohort=cohort))
    staff_a, staff_b = StaffFactory(), StaffFactory()
    results = _race(
        lambda: matches_approve(match_ids=[first.pk], approved_by=staff_a),
        lambda: matches_approve(match_ids=[second.pk], approved_by=staff_b),
    )
    errors = [r for r in results if isinstance(r, MatchingError)]
    assert len(errors) == 1, results
    assert "has no free place left (1 of 1 taken)" in str(errors[0])
    assert Match.objects.approved().count() == 1


def test_two_staff_giving_one_mentee_two_mentors_at_once_leaves_one_match():
    cohort = SelectionCohortFactory()
    mentee = AcceptedFactory(cohort=cohort)
    mentors = AcceptedMentorFactory.create_batch(2, cohort=cohort)
    proposal = _proposal(mentors[0], mentee)
    staff_a, staff_b = StaffFactory(), StaffFactory()
    results = _race(
        lambda: matches_approve(match_ids=[proposal.pk], approved_by=staff_a),
        lambda: match_create(
            mentor=mentors[1], mentee=mentee, created_by=staff_b, below_minimum_reason="Asked."
        ),
    )
    errors = [r for r in results if isinstance(r, MatchingError)]
    assert len(errors) == 1, results
    survivor = Match.objects.approved().get(mentee=mentee)
    if survivor.pk == proposal.pk:
        # The approval won: the pair made by hand is refused.
        assert "already has an approved match" in str(errors[0])
    else:
        # The pair made by hand won and took the proposal out of the running.
        assert survivor.mentor_id == mentors[1].pk
        assert "not proposed" in str(errors[0])
        proposal.refresh_from_db()
        assert proposal.status == Match.Status.SUPERSEDED


def test_many_concurrent_approvals_fill_a_mentors_places_exactly():
    cohort = SelectionCohortFactory(max_mentees_per_mentor=3)
    mentor = AcceptedMentorFactory(cohort=cohort, mentee_capacity=3)
    proposals = [_proposal(mentor, AcceptedFactory(cohort=cohort)) for _ in range(6)]
    staff = StaffFactory()
    results = _race(
        *[(lambda pk=p.pk: matches_approve(match_ids=[pk], approved_by=staff)) for p in proposals]
    )
    assert sum(1 for r in results if isinstance(r, MatchingError)) == 3
    slots = sorted(Match.objects.approved().values_list("mentor_slot", flat=True))
    assert slots == [1, 2, 3]


# --- A match never outlives its people --------------------------------------------------------

ROUNDS = 5  # each round is a fresh race; the threads are released together by a barrier


def _no_pair_outlives_its_people() -> None:
    assert not (
        Match.objects.approved()
        .exclude(mentor__status="accepted", mentee__status="accepted")
        .exists()
    )


def test_a_mentee_withdrawing_while_staff_approve_never_leaves_an_approved_match():
    staff = StaffFactory()
    for _ in range(ROUNDS):
        cohort = SelectionCohortFactory()
        mentee = AcceptedFactory(cohort=cohort)
        proposal = _proposal(AcceptedMentorFactory(cohort=cohort), mentee)
        results = race(
            lambda p=proposal: matches_approve(match_ids=[p.pk], approved_by=staff),
            lambda m=mentee: application_withdraw(application=m),
            expected=(MatchingError, ApplicationError),
        )
        _no_pair_outlives_its_people()
        proposal.refresh_from_db()
        if isinstance(results[0], MatchingError):
            # The withdrawal went first: the proposal was set aside before staff could approve.
            assert proposal.status == "superseded", results
        else:
            # The approval went first: the withdrawal then ended the match.
            assert proposal.status == "ended", results
            assert "withdrew" in proposal.end_reason


def test_staff_declining_a_mentor_while_another_approves_never_leaves_an_approved_match():
    staff_a, staff_b = StaffFactory(), StaffFactory()
    for _ in range(ROUNDS):
        cohort = SelectionCohortFactory()
        mentor = AcceptedMentorFactory(cohort=cohort)
        proposal = _proposal(mentor, AcceptedFactory(cohort=cohort))
        race(
            lambda p=proposal: matches_approve(match_ids=[p.pk], approved_by=staff_a),
            lambda m=mentor: application_decide(
                application_ids=[m.pk], decision="declined", decided_by=staff_b
            ),
            expected=(MatchingError, ApplicationError),
        )
        _no_pair_outlives_its_people()
        proposal.refresh_from_db()
        assert proposal.status in {"superseded", "ended"}


def test_a_mentee_withdrawing_while_staff_release_is_never_announced_as_a_live_pair():
    staff = StaffFactory()
    for _ in range(ROUNDS):
        cohort = SelectionCohortFactory()
        match = PairFactory(cohort=cohort, notified_at=None)  # approved, nobody told yet
        mentee = match.mentee
        race(
            lambda c=cohort: matches_release(cohort=c, released_by=staff),
            lambda m=mentee: application_withdraw(application=m),
            expected=(MatchingError, ApplicationError),
        )
        _no_pair_outlives_its_people()
        match.refresh_from_db()
        assert match.status == "ended"
        # Whichever went first, no announcement of this pair is left waiting to go out.
        assert not Notification.objects.filter(
            idempotency_key__startswith=f"match-announcement:{match.pk}:", status="pending"
        ).exists()
