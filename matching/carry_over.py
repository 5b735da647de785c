"""From one cohort to the next: a cohort's waitlisted applicants, and its accepted applicants
left without a pair, invited to the cohort started from it (`cohorts.services.
cohort_start_next`), each with a draft application pre-filled from their last one and a
*priority* mark that matching prefers among otherwise equal choices (see `assignment`).

It lives in matching because "left without a pair" is a question about matches."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q

from applications.emails import applicant_invite_to_next
from applications.models import Application
from cohorts.models import Cohort

from .exceptions import MatchingError
from .models import Match

# What a pre-filled draft takes from the application it was invited from. The agreements are
# not copied: the member confirms them again for the new cohort.
CARRIED_FIELDS = [
    "role",
    "goals",
    "region_importance",
    "background_importance",
    "interests_importance",
    "wants_shared_background",
    "offer",
    "mentee_capacity",
    "availability",
]


@dataclass
class InvitationResult:
    next_cohort: Cohort
    drafts: list[Application] = field(default_factory=list)  # new pre-filled drafts
    marked: list[Application] = field(default_factory=list)  # already applied: now priority
    already: int = 0  # invited before: nothing new


def next_cohort_of(cohort: Cohort) -> Cohort | None:
    """The latest cohort started from `cohort`."""
    return cohort.next_cohorts.order_by("-created_at", "-pk").first()


def applications_to_invite(cohort: Cohort):
    """Waitlisted applications of `cohort`, and accepted ones never in a pair. Declined and
    withdrawn applicants are not invited."""
    paired = Match.objects.paired().filter(Q(mentor=OuterRef("pk")) | Q(mentee=OuterRef("pk")))
    return (
        Application.objects.for_cohort(cohort)
        .filter(
            Q(status=Application.Status.WAITLISTED)
            | Q(status=Application.Status.ACCEPTED) & ~Exists(paired)
        )
        .select_related("member", "cohort")
        .prefetch_related("desired_practice_areas")
        .order_by("pk")
    )


def cohort_invite_to_next(*, cohort: Cohort) -> InvitationResult:
    """Invite `cohort`'s waitlist and unmatched accepted applicants to its next cohort.

    Each gets a priority draft pre-filled from their application (or, if they applied to the next
    cohort already, their application is marked priority) and one email. Running it again
    creates nothing and sends nothing new: a member invited before is left as they are, and the
    email's key (`next_cohort_invitation_key`) is one per member and cohort.
    """
    target = next_cohort_of(cohort)
    if target is None:
        raise MatchingError(
            f'{cohort.name} has no next cohort yet: start it first (action "Start the next '
            'cohort"), then invite.'
        )
    result = InvitationResult(next_cohort=target)
    with transaction.atomic():
        # The same lock applying takes: a member's own draft and this one cannot cross.
        target = Cohort.objects.select_for_update().get(pk=target.pk)
        result.next_cohort = target
        previous_by_member = {a.member_id: a for a in applications_to_invite(cohort)}
        existing = {
            a.member_id: a
            for a in Application.objects.select_for_update().filter(
                cohort=target, member_id__in=previous_by_member
            )
        }
        for member_id, previous in previous_by_member.items():
            application = existing.get(member_id)
            if application is None:
                application = _draft_from(previous, target)
                if application is None:
                    result.already += 1
                    continue
                result.drafts.append(application)
            elif application.priority or application.status in {
                Application.Status.DECLINED,
                Application.Status.WITHDRAWN,
            }:
                result.already += 1
                continue
            else:
                application.priority = True
                application.invited_from = previous
                application.save(update_fields=["priority", "invited_from", "updated_at"])
                result.marked.append(application)
            application.cohort = target
            applicant_invite_to_next(application=application, previous=previous)
    return result


def _draft_from(previous: Application, cohort: Cohort) -> Application | None:
    draft = Application(
        cohort=cohort,
        member=previous.member,
        status=Application.Status.DRAFT,
        priority=True,
        invited_from=previous,
        **{name: getattr(previous, name) for name in CARRIED_FIELDS},
    )
    try:
        with transaction.atomic():
            draft.save()
    except IntegrityError:
        return None  # the member made one at this moment: theirs stands
    draft.desired_practice_areas.set(previous.desired_practice_areas.all())
    return draft
