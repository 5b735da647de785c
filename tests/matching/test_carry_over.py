"""From one cohort to the next: the right people invited, once, with priority drafts; matching
prefers them in a tie."""

import pytest
from django.core import mail
from django.urls import reverse

from applications.models import Application
from cohorts.services import cohort_next_initial, cohort_start_next
from matching.carry_over import applications_to_invite, cohort_invite_to_next
from matching.engine import match_compute
from matching.exceptions import MatchingError
from matching.models import Match
from notifications.models import Notification
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ApplicationFactory,
    PairFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db

INVITATION = "next_cohort_invitation"


def _next(cohort):
    initial = cohort_next_initial(cohort)
    return cohort_start_next(cohort=cohort, fields={**initial, "slug": f"{cohort.slug}-next"})


@pytest.fixture
def old():
    """A cohort with one applicant in each state that matters to the carry-over."""
    cohort = SelectionCohortFactory(name="Pilot")
    people = {
        "waitlisted": AcceptedFactory(cohort=cohort, status="waitlisted", goals="Research."),
        "unmatched": AcceptedFactory(cohort=cohort),
        "unmatched_mentor": AcceptedMentorFactory(cohort=cohort, offer="Leadership."),
        "declined": AcceptedFactory(cohort=cohort, status="declined"),
        "withdrawn": AcceptedFactory(cohort=cohort, status="withdrawn"),
        "submitted": AcceptedFactory(cohort=cohort, status="submitted"),
        "draft": ApplicationFactory(cohort=cohort, status="draft", submitted_at=None),
    }
    pair = PairFactory(cohort=cohort)
    people["matched_mentee"], people["matched_mentor"] = pair.mentee, pair.mentor
    return cohort, people


def test_only_the_waitlisted_and_the_accepted_left_without_a_pair_are_invited(old):
    cohort, people = old
    invited = set(applications_to_invite(cohort))
    assert invited == {people["waitlisted"], people["unmatched"], people["unmatched_mentor"]}


def test_inviting_makes_a_priority_draft_prefilled_from_the_last_application(old):
    cohort, people = old
    follower = _next(cohort)
    result = cohort_invite_to_next(cohort=cohort)

    assert len(result.drafts) == 3 and not result.marked
    draft = Application.objects.get(cohort=follower, member=people["waitlisted"].member)
    assert draft.status == Application.Status.DRAFT
    assert draft.priority and draft.invited_from == people["waitlisted"]
    assert draft.goals == "Research." and draft.role == "mentee"
    # The member confirms the agreements again for the new cohort.
    assert not draft.agrees_to_commitment
    mentor = people["unmatched_mentor"].member
    mentor_draft = Application.objects.get(cohort=follower, member=mentor)
    assert (mentor_draft.role, mentor_draft.offer) == ("mentor", "Leadership.")
    uninvited = [people[k].member for k in ("declined", "withdrawn", "matched_mentee", "draft")]
    assert not Application.objects.filter(cohort=follower, member__in=uninvited).exists()


def test_each_invited_member_gets_one_email_and_inviting_twice_sends_nothing_new(
    old, django_capture_on_commit_callbacks
):
    cohort, people = old
    _next(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        cohort_invite_to_next(cohort=cohort)
    assert Notification.objects.filter(kind=INVITATION).count() == 3
    assert len(mail.outbox) == 3
    message = next(m for m in mail.outbox if m.to == [people["waitlisted"].member.email])
    assert "waiting list of Pilot" in message.body

    with django_capture_on_commit_callbacks(execute=True):
        again = cohort_invite_to_next(cohort=cohort)
    assert (again.drafts, again.marked, again.already) == ([], [], 3)
    assert Notification.objects.filter(kind=INVITATION).count() == 3
    assert len(mail.outbox) == 3
    assert Application.objects.filter(member=people["waitlisted"].member).count() == 2


def test_a_member_who_already_applied_to_the_next_cohort_is_marked_not_given_a_second_draft(old):
    cohort, people = old
    follower = _next(cohort)
    own = ApplicationFactory(cohort=follower, member=people["unmatched"].member)
    result = cohort_invite_to_next(cohort=cohort)
    own.refresh_from_db()
    assert own.priority and own in result.marked
    assert Application.objects.filter(cohort=follower, member=own.member).count() == 1


def test_inviting_before_the_next_cohort_exists_is_refused(old):
    cohort, _ = old
    with pytest.raises(MatchingError, match="start it first"):
        cohort_invite_to_next(cohort=cohort)


def test_the_admin_action_invites_and_says_how_many(old, client):
    cohort, _ = old
    _next(cohort)
    client.force_login(StaffFactory())
    response = client.post(
        reverse("admin:cohorts_cohort_changelist"),
        {"action": "invite_to_next_cohort", "_selected_action": [cohort.pk]},
        follow=True,
    )
    assert "3 applicants invited" in response.content.decode()
    assert Application.objects.filter(priority=True).count() == 3


def test_staff_filter_applications_on_priority(old, client):
    cohort, _ = old
    follower = _next(cohort)
    cohort_invite_to_next(cohort=cohort)
    client.force_login(StaffFactory())
    response = client.get(
        reverse("admin:applications_application_changelist"),
        {"priority__exact": "1", "cohort__id__exact": follower.pk},
    )
    assert response.status_code == 200
    assert response.context["cl"].result_count == 3


@pytest.mark.parametrize("priority_first", [True, False])
def test_matching_prefers_the_priority_mentee_among_equal_choices(priority_first):
    cohort = SelectionCohortFactory(min_match_score=0)
    mentor = AcceptedMentorFactory(cohort=cohort)
    # Two mentees identical to matching, whichever comes first.
    first = AcceptedFactory(cohort=cohort, priority=priority_first)
    second = AcceptedFactory(cohort=cohort, priority=not priority_first)
    for algorithm in ("optimal", "greedy"):
        result = match_compute(cohort=cohort, algorithm=algorithm)
        (pair,) = result.pairs
        assert pair.mentor == mentor.pk
        assert pair.mentee == (first if priority_first else second).pk
        assert {u.applicant for u in result.unmatched} == {(second if priority_first else first).pk}


def test_priority_never_outweighs_a_better_score():
    cohort = SelectionCohortFactory(min_match_score=0)
    AcceptedMentorFactory(cohort=cohort, location="UT")
    near = AcceptedFactory(cohort=cohort, location="UT")
    AcceptedFactory(cohort=cohort, location="FL", priority=True)
    (pair,) = match_compute(cohort=cohort).pairs
    assert pair.mentee == near.pk
    assert not Match.objects.exists()
