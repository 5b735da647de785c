"""Writes for profiles and applications. Views and admin call these; they never write directly."""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort
from core.dates import member_zone
from core.text import (
    day_in_year_text,
    day_text,
    first_name,
    join_words,
    moment_text,
    moment_with_weekday_text,
    period_text,
    time_left_text,
)
from notifications.models import Notification, ReminderPreference
from notifications.services import notify

from .membership import membership_is_current
from .models import Application, MemberProfile, Role


class ApplicationError(Exception):
    """A rule of the program refused the change; the message is shown to the person as is."""


def application_closed_reason(
    cohort: Cohort, application: Application | None, now: datetime
) -> str | None:
    """Why the member's application to `cohort` cannot be saved at `now`, or None when it can.

    Says what became of what they already have, and only that: a member with nothing saved is
    not told that a draft is kept.
    """
    if now < cohort.applications_open_at:
        opens = day_text(cohort.applications_open_at)
        return f"Applications for {cohort.name} open on {opens}. Nothing was saved."
    if now < cohort.application_deadline:
        return None
    closed = f"Applications for {cohort.name} closed on {moment_text(cohort.application_deadline)}."
    if application is None:
        return f"{closed} Nothing was saved."
    if application.status == Application.Status.DRAFT:
        return (
            f"{closed} Your saved draft is kept as it was, but it can no longer be changed "
            "or submitted."
        )
    return (
        f"{closed} Your application is kept as it was "
        f"({application.get_status_display().lower()}); these changes were not saved."
    )


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


def profile_missing_for_submit(profile: MemberProfile) -> list[str]:
    """The profile fields matching needs that are still empty, in words."""
    missing = []
    if not profile.location_id:
        missing.append("your state (or outside the US) in your profile")
    if not profile.time_zone:
        missing.append("your time zone in your profile")
    if not profile.career_stage_id:
        missing.append("your career stage in your profile")
    return missing


def application_missing_for_submit(application: Application, profile: MemberProfile) -> list[str]:
    """What still has to be filled in before the application can be submitted, in words."""
    missing = profile_missing_for_submit(profile)
    if application.role == Role.MENTEE and not application.goals.strip():
        missing.append("the goals you want to achieve")
    if application.role == Role.MENTOR and not application.offer.strip():
        missing.append("what you can offer a mentee")
    if not application.agrees_to_commitment:
        missing.append("your agreement to the time commitment")
    if not application.agrees_to_confidentiality:
        missing.append("your agreement to keep what is shared confidential")
    return missing


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
            notify(
                kind="application_received",
                # One receipt per submission: a withdrawn application reopened and submitted
                # again is a new submission, and the member is told it was received.
                key=f"application-received:{application.pk}:{now.isoformat()}",
                recipient=member,
                context=_email_context(application),
            )
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


PLACE_FREED_KIND = "place_freed"


def _left_accepted(application: Application, *, actor, how: str, now: datetime) -> list[str]:
    """End or refuse the pairs of an application that is no longer accepted, and tell staff.
    Returns what happened to the pairs, in words."""
    notes = []
    for hook in _leaving_accepted:
        notes.extend(hook(application=application, actor=actor, how=how, now=now))
    staff_tell_place_freed(
        cohort=application.cohort,
        key=f"place-freed:application:{application.pk}:{now.isoformat()}",
        summary=f"{how}.",
        notes=notes,
        actor=actor,
    )
    return notes


def cohort_places_text(cohort: Cohort) -> str:
    """ "12 of 20 mentee places and 9 of 20 mentor places are taken." """
    taken = Application.objects.for_cohort(cohort).accepted().count_by_role()
    mentees, mentors = taken[Role.MENTEE], taken[Role.MENTOR]
    return (
        f"{mentees} of {cohort.mentee_capacity} mentee places and {mentors} of "
        f"{cohort.mentor_capacity} mentor places are taken."
    )


def staff_tell_place_freed(*, cohort: Cohort, key: str, summary: str, notes: list[str], actor):
    """Email every active staff member (but the one who acted, who knows) that a place in a
    cohort freed up: what happened, what it did to pairs, and the places now taken. Sent at
    once, not in the weekly digest: a free place is best filled while the cohort is young."""
    staff = (
        get_user_model()
        .objects.filter(is_staff=True, is_active=True)
        .exclude(pk=getattr(actor, "pk", None))
        .order_by("pk")
    )
    context = {
        "cohort_name": cohort.name,
        "summary": summary,
        "notes": notes,
        "places": cohort_places_text(cohort),
        "applications_url": settings.SITE_URL
        + reverse("admin:applications_application_changelist")
        + f"?cohort__id__exact={cohort.pk}",
        "matches_url": settings.SITE_URL
        + reverse("admin:matching_match_changelist")
        + f"?cohort__id__exact={cohort.pk}",
    }
    return [
        notify(kind=PLACE_FREED_KIND, key=f"{key}:{user.pk}", recipient=user, context=context)
        for user in staff
    ]


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
            names = ", ".join(str(a.member) for a in undecidable[:5])
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
            notify(
                kind="application_decision",
                key=f"application-decision:{application.pk}:{decision}:{now.isoformat()}",
                recipient=application.member,
                context=_email_context(application),
            )
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


def _email_context(application: Application) -> dict:
    cohort = application.cohort
    return {
        "cohort_name": cohort.name,
        "role": application.get_role_display().lower(),
        "status": application.status,
        "deadline": moment_text(cohort.application_deadline),
        "match_notification_date": day_text(cohort.match_notification_date),
        "period": period_text(cohort.period_start, cohort.period_end),
        "application_path": application.get_absolute_url(),
    }


# ---------------------------------------------------------------------------------------------
# Deadline reminders
# ---------------------------------------------------------------------------------------------


def deadline_reminder_days_due(*, deadline: datetime, now: datetime) -> int | None:
    """The nearest reminder offset (in days) whose moment has come, or None.

    With offsets 7 and 1, eight days before the deadline nothing is due, three days before the
    7-day reminder is, and twelve hours before only the 1-day one: a run after beat was down
    sends the nearest reminder, never a stale "7 days left" on top of it.
    """
    due = [
        days
        for days in settings.DEADLINE_REMINDER_DAYS
        if days > 0 and deadline - timedelta(days=days) <= now < deadline
    ]
    return min(due, default=None)


def deadline_reminder_key(*, application_id: int, days: int) -> str:
    return f"deadline-reminder:{application_id}:{days}"


def deadline_reminders_due(*, now: datetime | None = None) -> list[tuple[int, int]]:
    """(application id, days) for every draft owed a deadline reminder now.

    A reminder is for drafts that existed when its moment came: a member who starts a draft
    two days before the deadline is not told "7 days left", only reminded the day before.
    Drafts already reminded at that offset, and members who turned reminders off, are left
    out here to spare the queue; the task and `notify` check both again. One query for the
    cohorts and one per cohort due, whatever the number of drafts.
    """
    now = now or timezone.now()
    offsets = [days for days in settings.DEADLINE_REMINDER_DAYS if days > 0]
    if not offsets:
        return []
    cohorts = Cohort.objects.open_for_applications(now).filter(
        application_deadline__lte=now + timedelta(days=max(offsets))
    )
    due = []
    for cohort in cohorts.only("pk", "application_deadline"):
        days = deadline_reminder_days_due(deadline=cohort.application_deadline, now=now)
        if days is None:
            continue
        # deadline_reminder_key(), built in SQL so the check is one query for the whole cohort.
        already_recorded = Notification.objects.filter(
            idempotency_key=Concat(
                Value("deadline-reminder:"),
                Cast(OuterRef("pk"), output_field=CharField()),
                Value(f":{days}"),
                output_field=CharField(),
            )
        )
        reminders_off = ReminderPreference.objects.filter(
            user=OuterRef("member"), reminders_enabled=False
        )
        ids = (
            Application.objects.for_cohort(cohort)
            .filter(
                status=Application.Status.DRAFT,
                created_at__lt=cohort.application_deadline - timedelta(days=days),
            )
            .exclude(Exists(already_recorded))
            .exclude(Exists(reminders_off))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        due.extend((application_id, days) for application_id in ids)
    return due


def deadline_reminder_send(
    *, application_id: int, days: int, now: datetime | None = None
) -> Notification | None:
    """Remind the member of a draft that the deadline is near, if it still is; at most once.

    Re-checks everything the finder saw, with the application row locked: a member submitting
    at this moment waits for the reminder to be recorded, or the reminder sees the submission.
    Returns None when nothing is due (submitted, deleted, deadline moved or passed, reminders
    turned off).
    """
    now = now or timezone.now()
    with transaction.atomic():
        application = Application.objects.select_for_update().filter(pk=application_id).first()
        if application is None or application.status != Application.Status.DRAFT:
            return None
        cohort = application.cohort
        deadline = cohort.application_deadline
        if not cohort.applications_open_at <= now < deadline:
            return None
        # The task may run late, or staff may have moved the deadline: send only what is due
        # now, so that a queued "7 days" task arriving on the last day sends nothing.
        if deadline_reminder_days_due(deadline=deadline, now=now) != days:
            return None
        if application.created_at >= deadline - timedelta(days=days):
            return None
        member = application.member
        profile = MemberProfile.objects.filter(user=member).first() or MemberProfile(user=member)
        zone = member_zone(member)
        context = {
            "first_name": first_name(member),
            "cohort_name": cohort.name,
            "role": application.get_role_display().lower(),
            "days": days,
            "deadline": moment_with_weekday_text(deadline, zone),
            "deadline_date": day_in_year_text(deadline, zone),
            "time_left": time_left_text(deadline - now),
            "missing": application_missing_for_submit(application, profile),
            "apply_url": settings.SITE_URL
            + reverse("applications:apply", kwargs={"slug": cohort.slug, "role": application.role}),
            "delete_url": settings.SITE_URL
            + reverse("applications:withdraw", kwargs={"pk": application.pk}),
        }
        return notify(
            kind="deadline_reminder",
            key=deadline_reminder_key(application_id=application.pk, days=days),
            recipient=member,
            context=context,
            optional=True,
        )
