from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, Location, PracticeArea, Role
from applications.services import (
    ApplicationError,
    application_decide,
    application_save,
    application_withdraw,
)
from tests.factories import (
    ActiveCohortFactory,
    ApplicationFactory,
    CohortFactory,
    MemberFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MENTEE_FIELDS = {
    "goals": "Prepare for a PGY1 residency in oncology.",
    "availability": "Weekday evenings",
    "agrees_to_commitment": True,
    "agrees_to_confidentiality": True,
}


@pytest.fixture
def cohort():
    return CohortFactory(slug="fall", name="Fall cohort", mentee_capacity=2, mentor_capacity=1)


@pytest.fixture
def applicant():
    return MemberFactory(email="applicant@example.test")


def _save(member, cohort, *, submit=True, role=Role.MENTEE, **fields):
    return application_save(
        member=member, cohort=cohort, role=role, fields={**MENTEE_FIELDS, **fields}, submit=submit
    )


def test_a_member_saves_a_draft_with_nothing_filled_in(applicant, cohort):
    application = application_save(
        member=applicant, cohort=cohort, role=Role.MENTEE, fields={}, submit=False
    )
    assert application.status == Application.Status.DRAFT
    assert application.submitted_at is None
    assert mail.outbox == []


def test_submitting_snapshots_the_profile_and_sends_one_receipt(
    applicant, cohort, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = _save(applicant, cohort)
    assert application.status == Application.Status.SUBMITTED
    snapshot = application.profile_snapshot
    assert snapshot["location"] == applicant.profile.location.code
    assert snapshot["career_stage"] == applicant.profile.career_stage_id
    [email] = mail.outbox
    assert email.subject == "We have your application to Fall cohort"
    assert f"/applications/{application.pk}/" in email.body

    # Editing and submitting again before the deadline sends no second receipt.
    with django_capture_on_commit_callbacks(execute=True):
        _save(applicant, cohort, goals="Prepare for residency and board certification.")
    assert len(mail.outbox) == 1


def test_later_profile_edits_do_not_change_a_submitted_application(applicant, cohort):
    application = _save(applicant, cohort)
    profile = applicant.profile
    profile.location = Location.objects.get(code="AK")
    profile.save()
    application.refresh_from_db()
    assert application.profile_snapshot["location"] != "AK"


def test_self_identification_enters_the_snapshot_only_with_consent(applicant, cohort):
    from applications.models import BackgroundGroup

    group = BackgroundGroup.objects.first()
    applicant.profile.background_groups.add(group)
    assert _save(applicant, cohort).profile_snapshot["background_groups"] == []
    applicant.profile.use_background_in_matching = True
    applicant.profile.save()
    assert _save(applicant, cohort).profile_snapshot["background_groups"] == [group.pk]


def test_submitting_names_everything_still_missing(cohort):
    member = MemberFactory(profile__location=None, profile__career_stage=None)
    with pytest.raises(ApplicationError) as caught:
        application_save(member=member, cohort=cohort, role=Role.MENTEE, fields={}, submit=True)
    message = str(caught.value)
    assert "your state (or outside the US) in your profile" in message
    assert "your career stage in your profile" in message
    assert "the goals you want to achieve" in message
    assert "your agreement to the time commitment" in message
    assert not Application.objects.exists()


def test_non_members_cannot_apply(cohort):
    user = UserFactory()
    with pytest.raises(ApplicationError, match="Only current association members can apply"):
        _save(user, cohort)


def test_an_expired_membership_cannot_apply(cohort):
    member = MemberFactory(membership__expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(ApplicationError, match="Only current association members"):
        _save(member, cohort)


def test_it_rejects_an_application_after_the_deadline_and_keeps_the_draft(applicant, cohort):
    draft = _save(applicant, cohort, submit=False, goals="My first thoughts")
    with (
        time_machine.travel(cohort.application_deadline + timedelta(seconds=1)),
        pytest.raises(ApplicationError, match=r"closed on .*Your saved draft is kept"),
    ):
        _save(applicant, cohort, goals="Posted from a tab left open")
    draft.refresh_from_db()
    assert draft.goals == "My first thoughts"
    assert draft.status == Application.Status.DRAFT


def test_it_rejects_an_application_before_applications_open(applicant):
    cohort = CohortFactory(applications_open_at=timezone.now() + timedelta(days=2))
    with pytest.raises(ApplicationError, match="open on"):
        _save(applicant, cohort)


def test_a_mentor_cannot_offer_more_mentees_than_the_cohort_allows(applicant, cohort):
    with pytest.raises(ApplicationError, match="at most 2 mentees"):
        application_save(
            member=applicant,
            cohort=cohort,
            role=Role.MENTOR,
            fields={"offer": "Advice", "mentee_capacity": 3, **MENTEE_FIELDS},
            submit=True,
        )


def test_the_database_allows_one_application_per_member_per_cohort(applicant, cohort):
    ApplicationFactory(member=applicant, cohort=cohort)
    with pytest.raises(IntegrityError), transaction.atomic():
        ApplicationFactory(member=applicant, cohort=cohort, role=Role.MENTOR)


def test_a_second_save_updates_the_one_application_even_in_the_other_role(applicant, cohort):
    _save(applicant, cohort, submit=False)
    application_save(
        member=applicant,
        cohort=cohort,
        role=Role.MENTOR,
        fields={"offer": "Residency advice"},
        submit=False,
    )
    application = Application.objects.get()
    assert application.role == Role.MENTOR
    assert application.offer == "Residency advice"


def test_desired_practice_areas_are_saved(applicant, cohort):
    areas = list(PracticeArea.objects.all()[:2])
    application = _save(applicant, cohort, desired_practice_areas=areas)
    assert set(application.desired_practice_areas.all()) == set(areas)


def test_withdrawing_a_draft_deletes_it_and_a_submission_is_kept_as_withdrawn(applicant, cohort):
    draft = _save(applicant, cohort, submit=False)
    application_withdraw(application=draft)
    assert not Application.objects.exists()
    submitted = _save(applicant, cohort)
    application_withdraw(application=submitted)
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.WITHDRAWN
    with pytest.raises(ApplicationError, match="already withdrawn"):
        application_withdraw(application=submitted)


def test_a_withdrawn_application_cannot_be_edited(applicant, cohort):
    application_withdraw(application=_save(applicant, cohort))
    with pytest.raises(ApplicationError, match="withdrawn and can no longer be changed"):
        _save(applicant, cohort)


# Staff decisions ---------------------------------------------------------------------------


def test_accepting_within_capacity_tells_each_applicant_once(
    staff, cohort, django_capture_on_commit_callbacks
):
    applications = ApplicationFactory.create_batch(2, cohort=cohort, status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        changed = application_decide(
            application_ids=[a.pk for a in applications], decision="accepted", decided_by=staff
        )
    assert len(changed) == 2
    assert {m.subject for m in mail.outbox} == {"You have a place in Fall cohort"}
    assert len(mail.outbox) == 2
    # Accepting again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            application_decide(
                application_ids=[a.pk for a in applications], decision="accepted", decided_by=staff
            )
            == []
        )
    assert len(mail.outbox) == 2


def test_accepting_beyond_capacity_changes_nothing_and_says_how_many_places_are_left(staff, cohort):
    ApplicationFactory(cohort=cohort, status="accepted")
    pending = ApplicationFactory.create_batch(2, cohort=cohort, status="submitted")
    with pytest.raises(ApplicationError) as caught:
        application_decide(
            application_ids=[a.pk for a in pending], decision="accepted", decided_by=staff
        )
    assert str(caught.value) == (
        "Fall cohort has 2 mentee places and 1 are taken: accepting 2 more mentees would "
        "exceed it (1 left). Nothing was changed."
    )
    assert Application.objects.filter(status="accepted").count() == 1


def test_mentor_capacity_counts_mentors_separately(staff, cohort):
    mentors = ApplicationFactory.create_batch(2, cohort=cohort, role="mentor", status="submitted")
    with pytest.raises(ApplicationError, match="1 mentor places"):
        application_decide(
            application_ids=[a.pk for a in mentors], decision="accepted", decided_by=staff
        )
    application_decide(application_ids=[mentors[0].pk], decision="accepted", decided_by=staff)


def test_waitlisting_and_declining_send_their_own_emails(
    staff, cohort, django_capture_on_commit_callbacks
):
    first, second = ApplicationFactory.create_batch(2, cohort=cohort, status="submitted")
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(application_ids=[first.pk], decision="waitlisted", decided_by=staff)
        application_decide(application_ids=[second.pk], decision="declined", decided_by=staff)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    waitlisted = by_recipient[first.member.email]
    declined = by_recipient[second.member.email]
    assert waitlisted.subject == "You are on the waiting list for Fall cohort"
    assert "If a place opens before matching, we will email you." in waitlisted.body
    assert declined.subject == "Your application to Fall cohort"
    assert "this time we cannot offer you a place" in declined.body


def test_drafts_cannot_be_decided(staff, cohort):
    draft = ApplicationFactory(cohort=cohort, status="draft", submitted_at=None)
    with pytest.raises(ApplicationError, match="drafts or withdrawn"):
        application_decide(application_ids=[draft.pk], decision="accepted", decided_by=staff)


def test_an_accepted_member_leaves_through_the_office_once_pairs_are_matched(applicant):
    cohort = ActiveCohortFactory()  # pairs notified by Sept 30, 2026
    application = ApplicationFactory(member=applicant, cohort=cohort, status="accepted")
    with pytest.raises(ApplicationError, match="goes through the program office"):
        application_withdraw(application=application, now=datetime(2026, 9, 30, 9, tzinfo=UTC))
    application.refresh_from_db()
    assert application.status == "accepted"
    application_withdraw(application=application, now=datetime(2026, 9, 28, 9, tzinfo=UTC))
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_the_application_page_sends_a_matched_member_to_the_office_to_leave(client, applicant):
    cohort = ActiveCohortFactory()
    application = ApplicationFactory(member=applicant, cohort=cohort, status="accepted")
    client.force_login(applicant)
    with time_machine.travel(datetime(2026, 10, 5, 12, tzinfo=UTC)):
        html = client.get(application.get_absolute_url()).content.decode()
    assert "To leave the program, write to the" in html
    assert reverse("applications:withdraw", args=[application.pk]) not in html
    with time_machine.travel(datetime(2026, 9, 20, 12, tzinfo=UTC)):
        html = client.get(application.get_absolute_url()).content.decode()
    assert reverse("applications:withdraw", args=[application.pk]) in html
