"""Deleting a member's account: anonymise the person, remove their private data, keep the
records their partners and the program's reports rely on (meetings, hours, statuses,
certificates)."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from applications.models import Application, MemberProfile, Membership
from applications.services import ApplicationError, application_withdraw
from matching.models import Match
from meetings.models import CalendarFeed, Expectations, Goal, GoalComment, Meeting, PairConcern
from notifications.models import Notification
from outcomes.models import Answer

from .emails import staff_tell_account_deleted
from .retention import REMOVED_TITLE

# What the partner's workspace and staff pages show instead of the person's name.
FORMER_MEMBER = "A former member"


class AccountDeletionError(Exception):
    pass


def running_pairs(user):
    """The member's pairs still under way: approved, in a cohort whose period has not ended."""
    return (
        Match.objects.for_member(user)
        .approved()
        .filter(cohort__period_end__gte=timezone.localdate())
    )


def account_delete(*, user) -> dict[str, int]:
    """Anonymise `user` and remove their private data; returns what was removed, by kind.

    Refused while the member is in a running pair: the partner and the office would lose the
    pair's other half mid-way; the office ends the pair first. Their pairs' meetings stay (the
    partner's hours must add up), with the text the member wrote removed.
    """
    User = get_user_model()
    with transaction.atomic():
        # Locked, so that a match approved meanwhile and this check do not cross.
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise AccountDeletionError("This account is already deleted.")
        if running_pairs(user).exists():
            raise AccountDeletionError(
                "You are in a mentorship that is still running, so your account cannot be "
                "deleted yet: your partner and the program office rely on it. Ask the program "
                "office to end the pair first; then you can delete your account here."
            )
        _withdraw_open_applications(user)
        removed = _remove_private_data(user)

        EmailAddress.objects.filter(user=user).delete()
        SocialAccount.objects.filter(user=user).delete()
        Authenticator.objects.filter(user=user).delete()
        CalendarFeed.objects.filter(user=user).delete()
        Membership.objects.filter(user=user).update(user=None, linked_at=None)
        address = f"former-member-{user.pk}@deleted.invalid"
        # Emails not yet sent are not sent; the ones sent keep their kind and time only.
        Notification.objects.filter(recipient=user, status=Notification.Status.PENDING).update(
            status=Notification.Status.CANCELLED
        )
        Notification.objects.filter(recipient=user).update(to_email=address, context={})

        user.first_name = FORMER_MEMBER
        user.last_name = ""
        user.email = address
        user.is_active = False
        user.is_staff = False
        user.is_superuser = False
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        staff_tell_account_deleted(user_id=user.pk, removed=removed)
    return removed


def _withdraw_open_applications(user) -> None:
    """Applications still open to a decision are withdrawn the way the member would withdraw
    them (a draft goes, an accepted place is freed and staff told), so that nobody accepts or
    pairs someone who has left. Refused, like a withdrawal, once pairs are told."""
    open_statuses = [
        Application.Status.DRAFT,
        Application.Status.SUBMITTED,
        Application.Status.WAITLISTED,
        Application.Status.ACCEPTED,
    ]
    applications = (
        Application.objects.for_member(user)
        .filter(status__in=open_statuses, cohort__period_end__gte=timezone.localdate())
        .select_related("cohort")
        .exclude(
            # The ones that were in a pair are over: the pair has ended.
            Q(pk__in=Match.objects.values("mentor")) | Q(pk__in=Match.objects.values("mentee"))
        )
    )
    for application in applications:
        try:
            application_withdraw(application=application)
        except ApplicationError as exc:
            raise AccountDeletionError(str(exc)) from exc


def _remove_private_data(user) -> dict[str, int]:
    removed: dict[str, int] = {}
    removed["profile"] = (
        MemberProfile.objects.filter(user=user).delete()[1].get("applications.MemberProfile", 0)
    )
    applications = Application.objects.for_member(user)
    removed["application_text"] = applications.update(
        goals="", offer="", availability="", profile_snapshot={}
    )
    pairs = Match.objects.for_member(user)
    # The mentee owns the goals and expectations of their pairs; the mentor's comments and the
    # meetings the member logged or planned are theirs too. Rows stay: counts and hours do.
    mentee_pairs = pairs.filter(mentee__member=user)
    removed["goal_text"] = (
        Goal.objects.filter(match__in=mentee_pairs)
        .exclude(title=REMOVED_TITLE, description="")
        .update(title=REMOVED_TITLE, description="")
    )
    removed["expectations_text"] = (
        Expectations.objects.filter(match__in=mentee_pairs)
        .exclude(meeting_plan="", communication="", other="")
        .update(meeting_plan="", communication="", other="")
    )
    removed["goal_comments"] = (
        GoalComment.objects.filter(author=user).exclude(body="").update(body="")
    )
    removed["meeting_logs"] = (
        Meeting.objects.filter(match__in=pairs, logged_by=user)
        .exclude(topics="", notes="", next_steps="")
        .update(topics="", notes="", next_steps="")
    )
    removed["meeting_agendas"] = (
        Meeting.objects.filter(match__in=pairs, created_by=user)
        .exclude(agenda="", video_link="")
        .update(agenda="", video_link="")
    )
    removed["concern_text"] = (
        PairConcern.objects.filter(raised_by=user).exclude(words="").update(words="")
    )
    removed["survey_text"] = (
        Answer.objects.filter(response__invitation__user=user).exclude(text="").update(text="")
    )
    return removed
