"""A cohort: its calendar (applications, matching, period), its hour rules and its orientation."""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from core.text import duration_text
from core.validators import (
    EARLIEST_DATE,
    EARLIEST_MOMENT,
    LATEST_DATE,
    LATEST_MOMENT,
    is_program_date,
    validate_program_date,
)

# How long an orientation may be, in minutes.
ORIENTATION_MINUTES_MIN = 15
ORIENTATION_MINUTES_MAX = 480


class MatchingObjective(models.TextChoices):
    TOTAL = "total", "Best total score"
    MAXIMIN = "maximin", "Best for the worst-off (highest lowest score)"


class CohortQuerySet(models.QuerySet):
    def open_for_applications(self, now: datetime | None = None) -> "CohortQuerySet":
        now = now or timezone.now()
        return self.filter(applications_open_at__lte=now, application_deadline__gt=now)

    def upcoming(self, now: datetime | None = None) -> "CohortQuerySet":
        return self.filter(applications_open_at__gt=now or timezone.now())

    def not_finished(self, today: date | None = None) -> "CohortQuerySet":
        return self.filter(period_end__gte=today or timezone.localdate())


class Cohort(models.Model):
    """One run of the program: its dates, its capacity and its hour commitment.

    Every date the program promises ("applications close Sept 9", "pairs notified by Sept 30")
    is a field here, never a constant in code.
    """

    class Phase(models.TextChoices):
        UPCOMING = "upcoming", "Upcoming"
        APPLICATIONS_OPEN = "applications_open", "Applications open"
        SELECTION = "selection", "Selection and matching"
        ACTIVE = "active", "Mentorship period"
        COMPLETED = "completed", "Completed"

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)

    applications_open_at = models.DateTimeField(
        "applications open", validators=[validate_program_date]
    )
    application_deadline = models.DateTimeField(
        "application deadline", validators=[validate_program_date]
    )
    match_notification_date = models.DateField(
        "match notification date",
        help_text="Matched pairs are told by this date.",
        validators=[validate_program_date],
    )
    orientation_at = models.DateTimeField(
        "orientation", null=True, blank=True, validators=[validate_program_date]
    )
    orientation_duration = models.PositiveSmallIntegerField(
        "orientation length (minutes)",
        default=60,
        validators=[
            MinValueValidator(ORIENTATION_MINUTES_MIN),
            MaxValueValidator(ORIENTATION_MINUTES_MAX),
        ],
        help_text=f"{ORIENTATION_MINUTES_MIN} to {ORIENTATION_MINUTES_MAX} minutes.",
    )
    orientation_link = models.URLField(
        "orientation video-call link",
        max_length=500,
        blank=True,
        help_text="Shown to the cohort's accepted mentors and mentees only.",
    )
    orientation_details = models.TextField(
        blank=True, help_text="What the orientation covers and how to join it."
    )
    period_start = models.DateField("mentorship period starts", validators=[validate_program_date])
    period_end = models.DateField("mentorship period ends", validators=[validate_program_date])

    min_total_hours = models.DecimalField(
        "minimum total hours",
        max_digits=5,
        decimal_places=2,
        default=Decimal("6"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    min_monthly_hours = models.DecimalField(
        "minimum hours per month",
        max_digits=4,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )

    mentee_capacity = models.PositiveIntegerField("mentee places", default=20)
    mentor_capacity = models.PositiveIntegerField("mentor places", default=20)
    default_mentees_per_mentor = models.PositiveSmallIntegerField(default=1)
    max_mentees_per_mentor = models.PositiveSmallIntegerField(default=2)

    # Matching weights: how much each component counts in a pair's score (relative numbers;
    # the matching service normalises them), and the lowest score worth proposing.
    weight_background = models.PositiveSmallIntegerField("professional background", default=40)
    weight_region = models.PositiveSmallIntegerField("region", default=20)
    weight_interests = models.PositiveSmallIntegerField("shared interests", default=30)
    weight_shared_background = models.PositiveSmallIntegerField(
        "shared background (opt-in)", default=10
    )
    min_match_score = models.PositiveSmallIntegerField(
        "minimum acceptable score",
        default=30,
        validators=[MaxValueValidator(100)],
        help_text="0 to 100. Pairs scoring below this are never proposed.",
    )
    matching_objective = models.CharField(
        "matching objective",
        max_length=10,
        choices=MatchingObjective,
        default=MatchingObjective.TOTAL,
        help_text="Best total: the greatest sum of pair scores. Best for the worst-off: as many "
        "people matched as possible, then the lowest pair score as high as possible, then the "
        "greatest total.",
    )

    # The cohort this one was started from ("Start the next cohort"): its waitlist is invited
    # here with priority.
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_cohorts",
        verbose_name="started from",
        editable=False,
    )

    # When the private parts of the cohort's records are removed (privacy/retention.py).
    # Empty: the policy's default, RETENTION_DAYS after the period ends.
    retention_date = models.DateField(
        "private data removed on",
        null=True,
        blank=True,
        validators=[validate_program_date],
        help_text="Leave empty for the policy's default: a set number of days after the "
        "period ends. On this day notes, goal text, comments, confidential free text and "
        "self-identification of the cohort are removed; dates, hours and certificates stay.",
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # When a resource (this cohort's or one for every cohort) last changed. The pair pages keep
    # the cohort's resource lists in the cache under this stamp, so a change shows at once in
    # every process (cohorts.services.resources_changed, connected in cohorts.apps).
    resources_changed_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CohortQuerySet.as_manager()

    class Meta:
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applications_open_at__lt=F("application_deadline")),
                name="cohort_opens_before_deadline",
            ),
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")),
                name="cohort_period_in_order",
            ),
            models.CheckConstraint(
                condition=Q(match_notification_date__lte=F("period_start")),
                name="cohort_notified_before_period",
            ),
            models.CheckConstraint(
                condition=Q(weight_background__gt=0)
                | Q(weight_region__gt=0)
                | Q(weight_interests__gt=0)
                | Q(weight_shared_background__gt=0),
                name="cohort_some_weight",
            ),
            models.CheckConstraint(
                condition=Q(default_mentees_per_mentor__gte=1)
                & Q(default_mentees_per_mentor__lte=F("max_mentees_per_mentor")),
                name="cohort_mentees_per_mentor_in_range",
            ),
            # Every page that lists cohorts reads these dates: one that Python cannot hold
            # (year 10000 after a zone shift) would break them for everyone.
            models.CheckConstraint(
                condition=Q(applications_open_at__range=(EARLIEST_MOMENT, LATEST_MOMENT))
                & Q(application_deadline__range=(EARLIEST_MOMENT, LATEST_MOMENT))
                & (
                    Q(orientation_at__isnull=True)
                    | Q(orientation_at__range=(EARLIEST_MOMENT, LATEST_MOMENT))
                )
                & Q(match_notification_date__range=(EARLIEST_DATE, LATEST_DATE))
                & Q(period_start__range=(EARLIEST_DATE, LATEST_DATE))
                & Q(period_end__range=(EARLIEST_DATE, LATEST_DATE)),
                name="cohort_dates_in_program_years",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cohorts:detail", kwargs={"slug": self.slug})

    @property
    def retention_due_on(self) -> date:
        """The day the cohort's private data is due for removal: its own date, else the
        policy's default after the period ends."""
        if self.retention_date is not None:
            return self.retention_date
        return self.period_end + timedelta(days=settings.RETENTION_DAYS)

    def clean(self) -> None:
        def day(moment: datetime | None) -> date | None:
            # A moment outside the program's years has its own error; converting it to the
            # current zone could overflow.
            return timezone.localdate(moment) if moment and is_program_date(moment) else None

        # Each rule: (field to blame, the dates it compares, ok when, message).
        rules = [
            (
                "application_deadline",
                (self.applications_open_at, self.application_deadline),
                lambda opens, deadline: deadline > opens,
                "The deadline must be after applications open.",
            ),
            (
                "match_notification_date",
                (day(self.application_deadline), self.match_notification_date),
                lambda deadline, notify: notify >= deadline,
                "Pairs can only be notified after applications close.",
            ),
            (
                "period_start",
                (self.match_notification_date, self.period_start),
                lambda notify, start: start >= notify,
                "The period must start on or after the notification date.",
            ),
            (
                "period_end",
                (self.period_start, self.period_end),
                lambda start, end: end >= start,
                "The period must end after it starts.",
            ),
            (
                # Removing notes and goals mid-period would wipe a running pair's workspace.
                "retention_date",
                (self.period_end, self.retention_date),
                lambda end, retention: retention > end,
                "Private data can only be removed after the period ends.",
            ),
            (
                "orientation_at",
                (day(self.application_deadline), day(self.orientation_at)),
                lambda deadline, orientation: orientation >= deadline,
                "Orientation must be after applications close.",
            ),
            (
                "default_mentees_per_mentor",
                (self.default_mentees_per_mentor, self.max_mentees_per_mentor),
                lambda default, maximum: default <= maximum,
                "The default cannot exceed the maximum.",
            ),
        ]
        weights = (
            self.weight_background,
            self.weight_region,
            self.weight_interests,
            self.weight_shared_background,
        )
        rules.append(
            (
                "weight_background",
                weights,
                lambda *w: sum(w) > 0,
                "At least one matching weight must be above zero.",
            )
        )
        errors = {
            name: message
            for name, values, ok, message in rules
            if None not in values and not ok(*values)
        }
        if errors:
            raise ValidationError(errors)

    def phase_at(self, now: datetime) -> "Cohort.Phase":
        today = timezone.localdate(now)
        if now < self.applications_open_at:
            return self.Phase.UPCOMING
        if now < self.application_deadline:
            return self.Phase.APPLICATIONS_OPEN
        if today < self.period_start:
            return self.Phase.SELECTION
        if today <= self.period_end:
            return self.Phase.ACTIVE
        return self.Phase.COMPLETED

    @property
    def phase(self) -> "Cohort.Phase":
        return self.phase_at(timezone.now())

    @property
    def orientation_ends_at(self) -> datetime | None:
        if self.orientation_at is None:
            return None
        return self.orientation_at + timedelta(minutes=self.orientation_duration)

    @property
    def orientation_is_over(self) -> bool:
        # Over once it has ended, not once it has started: a late joiner still needs the link.
        ends_at = self.orientation_ends_at
        return ends_at is not None and ends_at <= timezone.now()

    @property
    def orientation_duration_label(self) -> str:
        return duration_text(self.orientation_duration)
