"""Every email the applications app sends: for each kind, its key, who gets it and what it says.

Services decide that something happened (a submission, a decision, a place freed, a reminder
due) and call one function here, the only caller of `notify()` for that kind. Each idempotency
key is built by one function here; a query looking for what was already sent builds it with
the matching expression below, from the same prefix, never from a re-typed string.
"""

from datetime import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import CharField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat
from django.urls import reverse

from cohorts.models import Cohort
from core.dates import member_zone
from core.text import (
    day_in_year_text,
    day_text,
    first_name,
    moment_text,
    moment_with_weekday_text,
    period_text,
    time_left_text,
)
from notifications.models import Notification
from notifications.services import notify

from .models import Application, MemberProfile
from .selectors import application_missing_for_submit, cohort_places_text

APPLICATION_RECEIVED = "application_received"
APPLICATION_DECISION = "application_decision"
PLACE_FREED = "place_freed"
DEADLINE_REMINDER = "deadline_reminder"

APPLICATION_RECEIVED_KEY = "application-received"
APPLICATION_DECISION_KEY = "application-decision"
PLACE_FREED_KEY = "place-freed"
DEADLINE_REMINDER_KEY = "deadline-reminder"


def _application_context(application: Application) -> dict:
    """What the receipt and the decision say: the dates ahead, and where the application is."""
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
# To the applicant: "we received your application", and staff's decision
# ---------------------------------------------------------------------------------------------


def application_received_key(*, application_id: int, submitted_at: datetime) -> str:
    # One receipt per submission: a withdrawn application reopened and submitted again is a new
    # submission, and the member is told it was received.
    return f"{APPLICATION_RECEIVED_KEY}:{application_id}:{submitted_at.isoformat()}"


def applicant_tell_received(*, application: Application) -> Notification:
    """The member who just submitted `application` is told it was received."""
    return notify(
        kind=APPLICATION_RECEIVED,
        key=application_received_key(
            application_id=application.pk, submitted_at=application.submitted_at
        ),
        recipient=application.member,
        context=_application_context(application),
    )


def application_decision_key(*, application_id: int, decision: str, decided_at: datetime) -> str:
    return f"{APPLICATION_DECISION_KEY}:{application_id}:{decision}:{decided_at.isoformat()}"


def applicant_tell_decision(*, application: Application) -> Notification:
    """The member is told staff's decision on `application` (its status, just decided)."""
    return notify(
        kind=APPLICATION_DECISION,
        key=application_decision_key(
            application_id=application.pk,
            decision=application.status,
            decided_at=application.decided_at,
        ),
        recipient=application.member,
        context=_application_context(application),
    )


# ---------------------------------------------------------------------------------------------
# To staff: a place in a cohort freed up
# ---------------------------------------------------------------------------------------------


def place_freed_key(*, event: str) -> str:
    """The key of the event that freed a place ("application:42:<when>", "match:7"); each staff
    member's email adds their id to it."""
    return f"{PLACE_FREED_KEY}:{event}"


def staff_tell_place_freed(
    *, cohort: Cohort, key: str, summary: str, notes: list[str], actor
) -> list[Notification]:
    """Email every active staff member (but the one who acted, who knows) that a place in a
    cohort freed up: what happened, what it did to pairs, and the places now taken. Sent at
    once, not in the weekly digest: a free place is best filled while the cohort is young.

    `key` names the event (see `place_freed_key`)."""
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
        notify(kind=PLACE_FREED, key=f"{key}:{user.pk}", recipient=user, context=context)
        for user in staff
    ]


# ---------------------------------------------------------------------------------------------
# To the member with a draft: the deadline is near (when is due: see reminders.py)
# ---------------------------------------------------------------------------------------------


def deadline_reminder_key(*, application_id: int, days: int) -> str:
    return f"{DEADLINE_REMINDER_KEY}:{application_id}:{days}"


def deadline_reminder_key_expression(*, application_id: Combinable, days: int) -> Concat:
    """`deadline_reminder_key` built by the database, for a query that finds every draft already
    reminded in one go: `application_id` is an expression such as `OuterRef("pk")`."""
    return Concat(
        Value(f"{DEADLINE_REMINDER_KEY}:"),
        Cast(application_id, output_field=CharField()),
        Value(f":{days}"),
        output_field=CharField(),
    )


def member_remind_deadline(
    *, application: Application, days: int, now: datetime
) -> Notification | None:
    """Remind the member of a draft, `days` before the deadline, of what is left to do.

    A reminder is optional: None when the member turned reminders off."""
    cohort = application.cohort
    deadline = cohort.application_deadline
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
        kind=DEADLINE_REMINDER,
        key=deadline_reminder_key(application_id=application.pk, days=days),
        recipient=member,
        context=context,
        optional=True,
    )


# ---------------------------------------------------------------------------------------------
# To a waitlisted or unmatched applicant: you are invited to the next cohort (see carry-over)
# ---------------------------------------------------------------------------------------------

NEXT_COHORT_INVITATION = "next_cohort_invitation"
NEXT_COHORT_INVITATION_KEY = "next-cohort-invitation"


def next_cohort_invitation_key(*, cohort_id: int, member_id: int) -> str:
    # One invitation per member and cohort: inviting the waitlist again sends nothing new.
    return f"{NEXT_COHORT_INVITATION_KEY}:{cohort_id}:{member_id}"


def applicant_invite_to_next(*, application: Application, previous: Application) -> Notification:
    """The member of `previous` (waitlisted or left unmatched) is told that `application`, a
    draft pre-filled from it in the next cohort, waits for them to review and submit."""
    cohort = application.cohort
    member = application.member
    return notify(
        kind=NEXT_COHORT_INVITATION,
        key=next_cohort_invitation_key(cohort_id=cohort.pk, member_id=member.pk),
        recipient=member,
        context={
            "first_name": first_name(member),
            "previous_cohort_name": previous.cohort.name,
            "was_waitlisted": previous.status == Application.Status.WAITLISTED,
            "cohort_name": cohort.name,
            "role": application.get_role_display().lower(),
            "is_draft": application.status == Application.Status.DRAFT,
            "opens": moment_text(cohort.applications_open_at),
            "is_open": cohort.phase == Cohort.Phase.APPLICATIONS_OPEN,
            "deadline": moment_text(cohort.application_deadline),
            "period": period_text(cohort.period_start, cohort.period_end),
            "application_url": settings.SITE_URL + application.get_absolute_url(),
        },
    )
