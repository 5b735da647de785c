"""Writes for profiles and applications. Views and admin call these; they never write directly."""

from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from cohorts.models import Cohort
from core.text import join_words, moment_text

from .emails import (
    applicant_tell_decision,
    applicant_tell_received,
    place_freed_key,
    staff_tell_place_freed,
)
from .membership import membership_is_current
from .models import Application, MemberProfile, Role
from .selectors import application_closed_reason, application_missing_for_submit


class ApplicationError(Exception):
    """A rule of the program refused the change; the message is shown to the person as is."""


def _assert_open(cohort: Cohort, now: datetime, application: Application | None = None) -> None:
    reason = application_closed_reason(cohort, application, now)
    if reason:
        raise ApplicationError(reason)


def profile_for(user) -> MemberProfile:
    profile, _ = MemberProfile.objects.get_or_create(user=user)
    return profile


def profile_snapshot(
    profile: MemberProfile,
    *,
    practice_areas: list[int] | None = None,
    interests: list[int] | None = None,
    background_groups: list[int] | None = None,
) -> dict:
    """The profile fields matching uses, as plain data frozen into a submitted application.

    The many-to-many ids are read from the database unless the caller already has them (the
    demo seeder builds thousands of profiles in memory).
    """
    if practice_areas is None:
        practice_areas = list(profile.practice_areas.values_list("pk", flat=True))
    if interests is None:
        interests = list(profile.interests.values_list("pk", flat=True))
    if background_groups is None and profile.use_background_in_matching:
        background_groups = list(profile.background_groups.values_list("pk", flat=True))
    location = profile.location
    stage = profile.career_stage
    return {
        "location": location.code if location else None,
        "location_name": location.name if location else None,
        "region": location.region if location else None,
        "division": location.division if location else None,
        "time_zone": profile.time_zone,
        "career_stage": stage.pk if stage else None,
        "career_stage_name": stage.name if stage else None,
        "career_stage_order": stage.order if stage else None,
        "practice_areas": sorted(practice_areas),
        "interests": sorted(interests),
        # Self-identification leaves the profile only when the member opted in to its use.
        "background_groups": sorted(background_groups)
        if profile.use_background_in_matching
        else [],
        "credentials": profile.credentials,
        "institution": profile.institution,
    }


def application_save(
    *,
    member,
    cohort: Cohort,
    role: str,
    fields: dict,
    submit: bool,
    now: datetime | None = None,
) -> Application:
    """Create or update the member's application to `cohort`, as a draft or submitted.

    `fields` are the form's cleaned data (many-to-many values included). Every rule is checked
    here, whatever page the data came from: membership, the deadline, the role's capacity limit
    and, on submit, completeness.
    """
    now = now or timezone.now()
    if not membership_is_current(user=member, today=timezone.localdate(now)):
        raise ApplicationError(
            "Only current association members can apply. Link your membership first."
        )
    desired_areas = fields.pop("desired_practice_areas", None)
    with transaction.atomic():
        # Lock the cohort row so the deadline check and the write see the same cohort dates.
        cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
        application = (
            Application.objects.select_for_update().filter(cohort=cohort, member=member).first()
        )
        _assert_open(cohort, now, application)
        if application is None:
            application = Application(cohort=cohort, member=member)
        elif not application.is_editable_status:
            raise ApplicationError(
                f"This application is {application.get_status_display().lower()} and can no "
                "longer be changed."
            )
        application.role = role
        for name, value in fields.items():
            setattr(application, name, value)
        if role == Role.MENTOR and application.mentee_capacity > cohort.max_mentees_per_mentor:
            raise ApplicationError(
                f"Mentors in {cohort.name} can take at most {cohort.max_mentees_per_mentor} "
                "mentees."
            )
        # A submitted application stays submitted: "save" on it (a stale tab's "Save draft"
        # too) changes the submission, so what staff read is complete and current.
        submit = submit or application.status == Application.Status.SUBMITTED
        first_submission = submit and application.submitted_at is None
        if submit:
            profile = profile_for(member)
            missing = application_missing_for_submit(application, profile)
            if missing:
                raise ApplicationError("Before you submit, please add " + join_words(missing) + ".")
            application.status = Application.Status.SUBMITTED
            application.submitted_at = now
            application.profile_snapshot = profile_snapshot(profile)
        try:
            with transaction.atomic():
                application.save()
        except IntegrityError:
            # Two tabs creating the same application at once: the database keeps one.
            raise ApplicationError("You already have an application for this cohort.") from None
        if desired_areas is not None:
            application.desired_practice_areas.set(desired_areas)
        if first_submission:
            applicant_tell_received(application=application)
    return application


def application_withdraw(*, application: Application, now: datetime | None = None) -> Application:
    """The member withdraws (or deletes a draft).

    Withdrawing an accepted application frees its place: its pairs are ended or refused (see
    `application_leaving_accepted_register`), and staff are told. The cohort row is locked
    first, as approvals and releases lock it, so a match is never approved or released for an
    application withdrawn at the same moment.
    """
    with transaction.atomic():
        Cohort.objects.select_for_update().get(pk=application.cohort_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status in {Application.Status.WITHDRAWN, Application.Status.DECLINED}:
            raise ApplicationError(
                f"This application is already {application.get_status_display().lower()}."
            )
        now = now or timezone.now()
        if application.cohort.phase_at(now) == Cohort.Phase.COMPLETED:
            raise ApplicationError("This cohort has finished.")
        if (
            application.status == Application.Status.ACCEPTED
            and timezone.localdate(now) >= application.cohort.match_notification_date
        ):
            # From here on a partner counts on this member: staff end the pair with them.
            raise ApplicationError(
                "Pairs have been matched, so leaving the program goes through the program "
                f"office: write to {settings.PROGRAM_OFFICE_EMAIL} and they will end your "
                "mentorship and tell your partner."
            )
        if application.submitted_at is None:
            # A draft that was never submitted leaves nothing to keep.
            application.delete()
            return application
        was_accepted = application.status == Application.Status.ACCEPTED
        application.status = Application.Status.WITHDRAWN
        application.save(update_fields=["status", "updated_at"])
        if was_accepted:
            role = application.get_role_display().lower()
            _left_accepted(
                application,
                actor=None,
                how=f"{application.member} withdrew their {role} application",
                now=now,
            )
    return application


# ---------------------------------------------------------------------------------------------
# An accepted application leaving: its pairs, and staff
# ---------------------------------------------------------------------------------------------

# What an application leaving "accepted" does to its pairs. Pairs live in `matching`, an app
# above this one, so matching registers its function here at start-up (matching/apps.py). It is
# called inside the withdrawal's or the decision's transaction, with the cohort and application
# rows locked, and returns sentences for staff ("Their approved match with X has ended.").
LeavingAccepted = Callable[..., list[str]]
_leaving_accepted: list[LeavingAccepted] = []


def application_leaving_accepted_register(hook: LeavingAccepted) -> None:
    if hook not in _leaving_accepted:
        _leaving_accepted.append(hook)


def _left_accepted(application: Application, *, actor, how: str, now: datetime) -> list[str]:
    """End or refuse the pairs of an application that is no longer accepted, and tell staff.
    Returns what happened to the pairs, in words."""
    notes = []
    for hook in _leaving_accepted:
        notes.extend(hook(application=application, actor=actor, how=how, now=now))
    staff_tell_place_freed(
        cohort=application.cohort,
        key=place_freed_key(event=f"application:{application.pk}:{now.isoformat()}"),
        summary=f"{how}.",
        notes=notes,
        actor=actor,
    )
    return notes


def application_reopen(*, application: Application, now: datetime | None = None) -> Application:
    """Make a withdrawn application a draft again, while applications are open.

    The same row comes back (one application per member per cohort), with what the member wrote;
    it is a draft to change and submit again, and any earlier decision is forgotten.
    """
    now = now or timezone.now()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=application.cohort_id)
        application = Application.objects.select_for_update().get(pk=application.pk)
        if application.status != Application.Status.WITHDRAWN:
            raise ApplicationError(
                f"This application is {application.get_status_display().lower()}, not "
                "withdrawn: there is nothing to reopen."
            )
        if now >= cohort.application_deadline:
            raise ApplicationError(
                f"Applications for {cohort.name} closed on "
                f"{moment_text(cohort.application_deadline)}, so a withdrawn application can no "
                "longer be reopened."
            )
        application.status = Application.Status.DRAFT
        application.submitted_at = None
        application.decided_at = None
        application.decided_by = None
        application.save(
            update_fields=["status", "submitted_at", "decided_at", "decided_by", "updated_at"]
        )
    return application


# A refused bulk action names this many of the applications it refused, then counts them.
NAMES_SHOWN = 5

DECISIONS = {
    Application.Status.ACCEPTED,
    Application.Status.WAITLISTED,
    Application.Status.DECLINED,
}


def application_decide(
    *,
    application_ids: Iterable[int],
    decision: str,
    decided_by,
    now: datetime | None = None,
) -> list[Application]:
    """Accept, waitlist or decline applications, all or none, within each cohort's capacity.

    The cohort rows are locked before counting who is accepted, so two staff members accepting
    at once cannot both take the last place: the second waits, then counts the first's accepts.
    Returns the applications whose status changed; each of those applicants is emailed.
    """
    if decision not in DECISIONS:
        raise ApplicationError(f"Unknown decision {decision!r}.")
    now = now or timezone.now()
    ids = sorted(set(application_ids))
    with transaction.atomic():
        cohort_ids = sorted(
            set(Application.objects.filter(pk__in=ids).values_list("cohort_id", flat=True))
        )
        # Lock in a fixed order so two bulk actions over several cohorts cannot deadlock.
        cohorts = {
            c.pk: c
            for c in Cohort.objects.select_for_update().filter(pk__in=cohort_ids).order_by("pk")
        }
        applications = list(
            Application.objects.select_for_update()
            .filter(pk__in=ids)
            .select_related("member")
            .order_by("pk")
        )
        undecidable = [
            a
            for a in applications
            if a.status in {Application.Status.DRAFT, Application.Status.WITHDRAWN}
        ]
        if undecidable:
            names = ", ".join(str(a.member) for a in undecidable[:NAMES_SHOWN])
            raise ApplicationError(
                f"{len(undecidable)} of the selected applications are drafts or withdrawn and "
                f"cannot be decided: {names}."
            )
        changed = [a for a in applications if a.status != decision]
        leaving = [a for a in changed if a.status == Application.Status.ACCEPTED]
        if decision == Application.Status.ACCEPTED:
            _assert_capacity(cohorts, changed)
        for application in changed:
            application.status = decision
            application.decided_at = now
            application.decided_by = decided_by
        Application.objects.bulk_update(changed, ["status", "decided_at", "decided_by"])
        for application in changed:
            application.cohort = cohorts[application.cohort_id]
            applicant_tell_decision(application=application)
        for application in leaving:
            status = application.get_status_display().lower()
            role = application.get_role_display().lower()
            # Kept on the returned object for the page to say what happened to the pairs.
            application.pair_notes = _left_accepted(
                application,
                actor=decided_by,
                how=f"Staff ({decided_by}) {status} the accepted {role} application of "
                f"{application.member}",
                now=now,
            )
    return changed


def _assert_capacity(cohorts: dict[int, Cohort], newly_accepted: list[Application]) -> None:
    for cohort in cohorts.values():
        counts = Application.objects.for_cohort(cohort).accepted().count_by_role()
        for role, capacity, label in (
            (Role.MENTEE, cohort.mentee_capacity, "mentee"),
            (Role.MENTOR, cohort.mentor_capacity, "mentor"),
        ):
            adding = sum(1 for a in newly_accepted if a.cohort_id == cohort.pk and a.role == role)
            if not adding:
                continue
            taken = counts[role]
            if taken + adding > capacity:
                left = max(capacity - taken, 0)
                raise ApplicationError(
                    f"{cohort.name} has {capacity} {label} places and {taken} are taken: "
                    f"accepting {adding} more {label}{'s' if adding != 1 else ''} would exceed "
                    f"it ({left} left). Nothing was changed."
                )


def cohort_capacity_refusals(
    *, cohort: Cohort, mentee_capacity: int | None, mentor_capacity: int | None
) -> dict[str, str]:
    """Why these places are too few for the people already accepted, by field; empty if fine.

    Locks the cohort row (until the caller's transaction ends), as accepting does, so nobody is
    accepted between this count and the caller saving the new places.
    """
    if cohort.pk is None:
        return {}
    Cohort.objects.select_for_update().get(pk=cohort.pk)
    counts = Application.objects.for_cohort(cohort).accepted().count_by_role()
    refusals = {}
    for field, role, places, label in (
        ("mentee_capacity", Role.MENTEE, mentee_capacity, "mentee"),
        ("mentor_capacity", Role.MENTOR, mentor_capacity, "mentor"),
    ):
        taken = counts[role]
        if places is not None and places < taken:
            refusals[field] = (
                f"{taken} {label}{'s are' if taken != 1 else ' is'} already accepted, so there "
                f"cannot be fewer than {taken} {label} places (you entered {places}). Waitlist "
                f"or decline {label}s first."
            )
    return refusals
