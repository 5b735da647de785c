"""The pair workspace: expectations, goals and action items, meetings, and calendar feeds.

A pair is a released match (`matching.Match`); everything here hangs off it. What the two
members write is theirs: staff see it only with the `view_pair_workspace` permission, and the
admin shows dates, durations, formats and statuses, never notes or goal text.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

from core.validators import EARLIEST_MOMENT, LATEST_MOMENT, validate_program_date
from matching.models import Match

MIN_MEETING_MINUTES = 5
MAX_MEETING_MINUTES = 300


class Expectations(models.Model):
    """How the pair works together: drafted by the mentee, acknowledged by the mentor."""

    match = models.OneToOneField(Match, on_delete=models.CASCADE, related_name="expectations")
    meeting_plan = models.TextField(
        "how and how often you meet",
        max_length=2000,
        help_text="For example: a one-hour video call on the first Tuesday of each month.",
    )
    communication = models.TextField(
        "how you keep in touch between meetings",
        max_length=2000,
        help_text="For example: email, answered within three working days.",
    )
    other = models.TextField("anything else you agree on", max_length=2000, blank=True)
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Cleared whenever the mentee changes the text: the mentor acknowledges what is written now.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name_plural = "expectations"

    def __str__(self) -> str:
        return f"Expectations of {self.match}"


class GoalQuerySet(models.QuerySet):
    def for_match(self, match: Match) -> "GoalQuerySet":
        return self.filter(match=match)

    def with_counts(self) -> "GoalQuerySet":
        """Each goal's `steps`, `steps_done` and `comment_count`, for the workspace's list."""
        # Distinct: the two joins (steps and comments) multiply each other's rows.
        return self.annotate(
            steps=Count("action_items", distinct=True),
            steps_done=Count(
                "action_items", filter=Q(action_items__done_at__isnull=False), distinct=True
            ),
            comment_count=Count("comments", distinct=True),
        )


class Goal(models.Model):
    """One of the mentee's goals for the mentorship."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        ACHIEVED = "achieved", "Achieved"
        DROPPED = "dropped", "Dropped"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000, blank=True)
    target_date = models.DateField(null=True, blank=True, validators=[validate_program_date])
    status = models.CharField(max_length=12, choices=Status, default=Status.NOT_STARTED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = GoalQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    """A concrete step toward a goal, ticked off by the mentee."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="action_items")
    title = models.CharField(max_length=200)
    due_date = models.DateField(null=True, blank=True, validators=[validate_program_date])
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None


class GoalComment(models.Model):
    """The mentor's comments on a goal (and the mentee's replies)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.goal_id}"


class MeetingQuerySet(models.QuerySet):
    def for_match(self, match: Match) -> "MeetingQuerySet":
        return self.filter(match=match)

    def planned(self) -> "MeetingQuerySet":
        return self.filter(status=Meeting.Status.PLANNED)

    def held(self) -> "MeetingQuerySet":
        return self.filter(status=Meeting.Status.HELD)

    def confirmed(self) -> "MeetingQuerySet":
        """Held meetings the partner of the member who logged them has confirmed."""
        return self.held().filter(confirmed_at__isnull=False)

    def upcoming(self, now: datetime) -> "MeetingQuerySet":
        return self.planned().filter(starts_at__gte=now).order_by("starts_at", "pk")


class Meeting(models.Model):
    """A meeting of a pair: planned ahead, then held (logged) or cancelled.

    A meeting is one row however many members log it: the second member confirms the first
    one's log instead of adding another, so the hour ledger counts it once.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        CANCELLED = "cancelled", "Cancelled"

    class Format(models.TextChoices):
        VIDEO = "video", "Video call"
        PHONE = "phone", "Phone"
        IN_PERSON = "in_person", "In person"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="meetings")
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    starts_at = models.DateTimeField("date and time", validators=[validate_program_date])
    duration_minutes = models.PositiveSmallIntegerField(
        "duration (minutes)",
        validators=[
            MinValueValidator(MIN_MEETING_MINUTES),
            MaxValueValidator(MAX_MEETING_MINUTES),
        ],
    )
    format = models.CharField(max_length=10, choices=Format, default=Format.VIDEO)
    # The day the meeting counts for in the ledger: its date in the mentee's time zone (the
    # mentee facilitates), so both members see it in the same month whatever their own zone.
    held_on = models.DateField(null=True, blank=True, editable=False)

    # Planning
    agenda = models.TextField(max_length=2000, blank=True)
    video_link = models.URLField("video link", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The log of a held meeting, seen by the two members (and permitted staff) only.
    topics = models.TextField("topics discussed", max_length=4000, blank=True)
    notes = models.TextField("private notes", max_length=4000, blank=True)
    next_steps = models.TextField("next steps", max_length=2000, blank=True)
    logged_at = models.DateTimeField(null=True, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        permissions = [
            (
                "view_pair_workspace",
                "Can see pairs' workspaces: goals, expectations, meeting notes",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=MIN_MEETING_MINUTES)
                & Q(duration_minutes__lte=MAX_MEETING_MINUTES),
                name="meeting_duration_in_bounds",
            ),
            models.CheckConstraint(
                condition=~Q(status="held")
                | (Q(held_on__isnull=False) & Q(logged_at__isnull=False)),
                name="held_meeting_is_logged",
            ),
            # The same meeting logged twice would count twice; the service also refuses
            # overlapping meetings, this catches two logs racing with the same start.
            models.UniqueConstraint(
                fields=["match", "starts_at"],
                condition=~Q(status="cancelled"),
                name="one_meeting_per_pair_and_start",
            ),
            # A start Python cannot read back in another zone would break the pair's pages.
            models.CheckConstraint(
                condition=Q(starts_at__range=(EARLIEST_MOMENT, LATEST_MOMENT)),
                name="meeting_starts_in_program_years",
            ),
        ]
        indexes = [models.Index(fields=["match", "status", "held_on"])]

    def __str__(self) -> str:
        return f"Meeting of {self.match_id} at {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:meeting", kwargs={"pk": self.match_id, "meeting_pk": self.pk})

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A member's private calendar feed: a secret URL calendar apps subscribe to.

    Resetting the token revokes the old URL at once.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:calendar_feed", kwargs={"token": self.token})


class Pair(Match):
    """A released match seen from the workspace side: staff oversight of hours and progress."""

    class Meta:
        proxy = True
        verbose_name = "pair"


class PairConcernQuerySet(models.QuerySet):
    def unresolved(self) -> "PairConcernQuerySet":
        return self.filter(resolved_at__isnull=True)

    def open(self) -> "PairConcernQuerySet":
        """Waiting for staff: not handled, and the pair still running (a pair staff ended has
        had its answer)."""
        return self.unresolved().filter(match__status=Match.Status.APPROVED)

    def for_match(self, match: Match) -> "PairConcernQuerySet":
        return self.filter(match=match)


class PairConcern(models.Model):
    """A member telling the program office their pair is in trouble. Only staff read it: the
    partner is never shown it."""

    class Kind(models.TextChoices):
        NOT_RESPONDING = "not_responding", "My partner is not responding"
        NOT_WORKING = "not_working", "This is not working"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="concerns")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    words = models.TextField("anything you want the office to know", max_length=2000, blank=True)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The pair made for the member who stayed, when staff rematched them.
    new_match = models.ForeignKey(
        Match, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = PairConcernQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["match", "resolved_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.raised_by}, {self.match})"
