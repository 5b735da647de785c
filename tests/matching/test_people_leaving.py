"""A match never outlives its people, and nobody is left uninformed when a pair or place ends."""

import pytest
from django.core import mail
from django.urls import reverse

from applications.services import application_decide, application_withdraw
from matching.decisions import match_create, matches_approve
from matching.ending import match_end
from matching.engine import match_compute
from matching.exceptions import MatchingError
from matching.models import Match
from matching.release import matches_release
from notifications.models import Notification
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    SelectionCohortFactory,
    StaffFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort():
    return SelectionCohortFactory(name="Fall cohort", min_match_score=10, mentee_capacity=5)


@pytest.fixture
def mentor(cohort):
    return AcceptedMentorFactory(
        cohort=cohort, location="UT", member__first_name="Omar", member__last_name="Mentor"
    )


@pytest.fixture
def mentee(cohort):
    return AcceptedFactory(
        cohort=cohort, location="CO", member__first_name="Ana", member__last_name="Mentee"
    )


@pytest.fixture
def office():
    """Two staff members: the one who acts knows; the other must be told."""
    return StaffFactory(first_name="Ada"), StaffFactory(first_name="Bo")


def _approved(mentor, mentee, staff) -> Match:
    return match_create(mentor=mentor, mentee=mentee, created_by=staff)


def _emails(kind: str) -> list[Notification]:
    return list(Notification.objects.filter(kind=kind).order_by("to_email"))


def _sent_to(capture, call) -> set[str]:
    mail.outbox.clear()
    with capture(execute=True):
        call()
    return {address for email in mail.outbox for address in email.to}


# --- Withdrawing -----------------------------------------------------------------------------


def test_withdrawing_after_approval_ends_the_match_so_release_tells_nobody(
    cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    match = _approved(mentor, mentee, office[0])

    told = _sent_to(
        django_capture_on_commit_callbacks, lambda: application_withdraw(application=mentee)
    )

    match.refresh_from_db()
    assert match.status == "ended"
    assert match.end_reason == "Ana Mentee withdrew their mentee application."
    # Nobody had heard of the pair, so only staff hear that a place is free.
    assert told == {office[0].email, office[1].email}
    assert not _emails("match_ended")
    release = _sent_to(django_capture_on_commit_callbacks, lambda: matches_release(cohort=cohort))
    assert release == set()
    assert not Match.objects.released().approved().exists()


def test_staff_learn_at_once_that_a_place_is_free_and_what_it_did_to_the_pair(
    cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    _approved(mentor, mentee, office[0])
    with django_capture_on_commit_callbacks(execute=True):
        application_withdraw(application=mentee)

    email = next(e for e in mail.outbox if e.to == [office[1].email])
    assert email.subject == "A place is free in Fall cohort"
    assert "Ana Mentee withdrew their mentee application." in email.body
    assert "Their approved match with Omar Mentor has ended" in email.body
    assert "0 of 5 mentee places and 1 of 20 mentor places are taken." in email.body
    assert f"/admin/applications/application/?cohort__id__exact={cohort.pk}" in email.body
    assert "Ana Mentee" in email.alternatives[0][0]


def test_withdrawing_an_accepted_application_with_no_pair_still_tells_staff(
    cohort, mentee, office, django_capture_on_commit_callbacks
):
    told = _sent_to(
        django_capture_on_commit_callbacks, lambda: application_withdraw(application=mentee)
    )
    assert told == {office[0].email, office[1].email}


def test_withdrawing_a_submitted_application_frees_no_place_and_tells_no_staff(
    cohort, office, django_capture_on_commit_callbacks
):
    submitted = AcceptedFactory(cohort=cohort, status="submitted")
    assert (
        _sent_to(
            django_capture_on_commit_callbacks, lambda: application_withdraw(application=submitted)
        )
        == set()
    )


def test_withdrawing_sets_a_waiting_proposal_aside_which_can_then_not_be_approved(
    cohort, mentor, mentee, office
):
    proposal = Match.objects.create(cohort=cohort, mentor=mentor, mentee=mentee, score=50)
    application_withdraw(application=mentee)
    proposal.refresh_from_db()
    assert proposal.status == "superseded"
    with pytest.raises(MatchingError, match="not proposed"):
        matches_approve(match_ids=[proposal.pk], approved_by=office[0])


def test_a_mentee_waitlisted_then_accepted_again_can_be_proposed_the_same_mentor(
    cohort, mentor, mentee, office
):
    # Waitlisting set the proposal aside; nobody decided against the pair, so the next run
    # may propose it again. A pair staff rejected stays out of every later run.
    proposal = Match.objects.create(cohort=cohort, mentor=mentor, mentee=mentee, score=50)
    application_decide(application_ids=[mentee.pk], decision="waitlisted", decided_by=office[0])
    proposal.refresh_from_db()
    assert proposal.status == "superseded"
    application_decide(application_ids=[mentee.pk], decision="accepted", decided_by=office[0])
    assert [(p.mentor, p.mentee) for p in match_compute(cohort=cohort).pairs] == [
        (mentor.pk, mentee.pk)
    ]
    Match.objects.filter(pk=proposal.pk).update(status="rejected")
    assert match_compute(cohort=cohort).pairs == []


def test_a_withdrawn_application_cannot_be_approved_into_a_match(cohort, mentor, mentee, office):
    proposal = Match.objects.create(cohort=cohort, mentor=mentor, mentee=mentee, score=50)
    # Withdrawn by a path that left the proposal waiting (data from before this rule).
    type(mentee).objects.filter(pk=mentee.pk).update(status="withdrawn")
    with pytest.raises(MatchingError, match="Ana Mentee is no longer accepted"):
        matches_approve(match_ids=[proposal.pk], approved_by=office[0])
    assert not Match.objects.approved().exists()


# --- Declining -------------------------------------------------------------------------------


def test_declining_the_mentor_of_a_released_pair_ends_it_and_tells_both_and_staff(
    cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    match = _approved(mentor, mentee, office[0])
    with django_capture_on_commit_callbacks(execute=True):
        matches_release(cohort=cohort)

    told = _sent_to(
        django_capture_on_commit_callbacks,
        lambda: application_decide(
            application_ids=[mentor.pk], decision="declined", decided_by=office[0]
        ),
    )

    match.refresh_from_db()
    assert match.status == "ended" and match.ended_by == office[0]
    assert "declined the accepted mentor application of Omar Mentor" in match.end_reason
    # The mentor hears the decision and that the pair ended; the mentee that the pair ended;
    # the other staff member that a place is free. The one who declined knows.
    assert told == {mentor.member.email, mentee.member.email, office[1].email}
    assert {n.recipient for n in _emails("match_ended")} == {mentor.member, mentee.member}
    staff_email = next(e for e in mail.outbox if e.to == [office[1].email])
    assert (
        "Their approved match with Ana Mentee has ended (Omar Mentor and Ana Mentee were emailed "
        "a note)." in staff_email.body
    )


def test_the_pair_ended_note_is_kind_and_names_the_partner(
    cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    match = _approved(mentor, mentee, office[0])
    with django_capture_on_commit_callbacks(execute=True):
        matches_release(cohort=cohort)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        match_end(match=match, ended_by=office[0], reason="The mentee moved abroad.")

    note = next(e for e in mail.outbox if e.to == [mentee.member.email])
    assert note.subject == "Your mentorship pair in Fall cohort has ended"
    assert note.body.startswith("Hello Ana,")
    assert "your mentorship pair with Omar Mentor, your mentor in Fall cohort, has ended" in (
        note.body
    )
    assert "Thank you for the time and care" in note.body
    # The reason is staff's record, not the members' news.
    assert "abroad" not in note.body
    assert "Omar Mentor" in note.alternatives[0][0]
    key = Notification.objects.get(kind="match_ended", recipient=mentee.member).idempotency_key
    assert key == f"match-ended:{match.pk}:mentee"


def test_ending_a_released_match_tells_both_members_once_and_the_other_staff(
    cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    match = _approved(mentor, mentee, office[0])
    with django_capture_on_commit_callbacks(execute=True):
        matches_release(cohort=cohort)

    told = _sent_to(
        django_capture_on_commit_callbacks,
        lambda: match_end(match=match, ended_by=office[0], reason="The mentee moved abroad."),
    )

    assert told == {mentor.member.email, mentee.member.email, office[1].email}
    staff_email = next(e for e in mail.outbox if e.to == [office[1].email])
    assert "Reason: The mentee moved abroad." in staff_email.body
    assert "Omar Mentor has a mentor place free again" in staff_email.body
    with pytest.raises(MatchingError):
        match_end(match=match, ended_by=office[0], reason="Again.")
    assert len(_emails("match_ended")) == 2


def test_ending_a_match_nobody_was_told_of_emails_no_member(
    cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    match = _approved(mentor, mentee, office[0])
    told = _sent_to(
        django_capture_on_commit_callbacks,
        lambda: match_end(match=match, ended_by=office[0], reason="Staff changed their minds."),
    )
    assert told == {office[1].email}


def test_staff_ending_a_match_in_admin_are_told_who_is_emailed(
    client, cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    match = _approved(mentor, mentee, office[0])
    with django_capture_on_commit_callbacks(execute=True):
        matches_release(cohort=cohort)
    client.force_login(office[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_match_end", args=[match.pk]),
            {"reason": "The mentee left the program."},
            follow=True,
        )
    assert "both members are emailed a note" in response.content.decode()


def test_staff_declining_in_admin_are_told_what_happened_to_the_pair(
    client, cohort, mentor, mentee, office, django_capture_on_commit_callbacks
):
    _approved(mentor, mentee, office[0])
    client.force_login(office[0])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:applications_application_changelist"),
            {"action": "decline", "_selected_action": [mentee.pk]},
            follow=True,
        )
    page = response.content.decode()
    assert "1 application(s) declined" in page
    assert (
        "Ana Mentee: Their approved match with Omar Mentor has ended (it had not been released, "
        "so no member was emailed)." in page
    )
