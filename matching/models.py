from django.conf import settings
from django.db import models
from django.db.models import F, Q

from applications.models import Application
from cohorts.models import Cohort, MatchingObjective


class Algorithm(models.TextChoices):
    OPTIMAL = "optimal", "Optimal (maximum total score)"
    GREEDY = "greedy", "Greedy (baseline for comparison)"


class MatchRunQuerySet(models.QuerySet):
    def for_cohort(self, cohort: Cohort) -> "MatchRunQuerySet":
        return self.filter(cohort=cohort)

    def unfinished(self) -> "MatchRunQuerySet":
        return self.filter(status__in=[MatchRun.Status.QUEUED, MatchRun.Status.RUNNING])

    def done(self) -> "MatchRunQuerySet":
        return self.filter(status=MatchRun.Status.DONE)


class MatchRun(models.Model):
    """One computation of a cohort's matching: who asked, with which weights, what came out."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="match_runs")
    algorithm = models.CharField(max_length=10, choices=Algorithm, default=Algorithm.OPTIMAL)
    objective = models.CharField(
        max_length=10, choices=MatchingObjective, default=MatchingObjective.TOTAL
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.QUEUED)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty when run from the command line.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    # The cohort's weights and minimum score when the run started.
    weights = models.JSONField(default=dict)

    # Inputs
    mentors = models.PositiveIntegerField(default=0)
    mentees = models.PositiveIntegerField(default=0)
    mentor_slots = models.PositiveIntegerField(default=0)
    approved_kept = models.PositiveIntegerField(
        default=0, help_text="Approved matches left as they were."
    )

    # Results
    pairs_proposed = models.PositiveIntegerField(default=0)
    total_score = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    mean_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    min_score = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    unmatched_mentors = models.PositiveIntegerField(default=0)
    unmatched_mentees = models.PositiveIntegerField(default=0)
    # [{"applicant": application id, "role": "mentor"|"mentee", "reason": str}, ...]
    unmatched = models.JSONField(default=list, blank=True)
    # {"scoring": seconds, "solver": seconds, "total": seconds}
    timings = models.JSONField(default=dict, blank=True)
    # The proof and the picture: see `matching.audit` and `MatchResult.audit`.
    audit = models.JSONField(default=dict, blank=True)
    # How its proposals differ from the cohort's previous finished run, counted by mentee when
    # it finished (`matching.selectors.match_run_compare`): {"previous": run id, "kept": n,
    # "changed": n, "new": n, "dropped": n}; empty for a cohort's first run.
    comparison = models.JSONField(default=dict, blank=True)

    objects = MatchRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # Two runs of one cohort at once would supersede each other's proposals.
            models.UniqueConstraint(
                fields=["cohort"],
                condition=Q(status__in=["queued", "running"]),
                name="one_unfinished_run_per_cohort",
            ),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.cohort}"


class MatchQuerySet(models.QuerySet):
    def for_cohort(self, cohort: Cohort) -> "MatchQuerySet":
        return self.filter(cohort=cohort)

    def proposed(self) -> "MatchQuerySet":
        return self.filter(status=Match.Status.PROPOSED)

    def approved(self) -> "MatchQuerySet":
        return self.filter(status=Match.Status.APPROVED)

    def awaiting_release(self) -> "MatchQuerySet":
        """Approved matches nobody has been told about yet: the next release sends them."""
        return self.approved().filter(notified_at__isnull=True)

    def released(self) -> "MatchQuerySet":
        """Matches the two members have been told about, and so may see."""
        return self.filter(
            status__in=[Match.Status.APPROVED, Match.Status.ENDED], notified_at__isnull=False
        )

    def paired(self) -> "MatchQuerySet":
        """Pairs that were really made: approved, or ended after the two members were told.
        (An approved match ended before its release was never a pair to its members.)"""
        return self.filter(
            Q(status=Match.Status.APPROVED)
            | Q(status=Match.Status.ENDED, notified_at__isnull=False)
        )

    def for_member(self, user) -> "MatchQuerySet":
        return self.filter(Q(mentor__member=user) | Q(mentee__member=user))

    def for_application(self, application: Application) -> "MatchQuerySet":
        return self.filter(Q(mentor=application) | Q(mentee=application))

    def with_people(self) -> "MatchQuerySet":
        return self.select_related(
            "cohort",
            "mentor__member__profile",
            "mentee__member__profile",
        )


class Match(models.Model):
    """A mentor and a mentee of one cohort: proposed by a run or by staff, then decided."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        # A later run replaced it, or one of its people left before staff decided: either
        # way no decision against the pair, which a later run may propose again.
        SUPERSEDED = "superseded", "Superseded"
        ENDED = "ended", "Ended"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="matches")
    run = models.ForeignKey(
        MatchRun,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="matches",
        help_text="Empty for a match staff made by hand.",
    )
    mentor = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    mentee = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status, default=Status.PROPOSED)

    score = models.DecimalField(max_digits=5, decimal_places=2)
    # {"background": {"points": 32.0, "max": 40.0}, "region": {...}, ...}
    components = models.JSONField(default=dict)
    reasons = models.JSONField(default=list)

    # Set on approval: which of the mentor's places this match takes, and how many places the
    # mentor had then. The constraints below make the database refuse a mentor over capacity.
    mentor_slot = models.PositiveSmallIntegerField(null=True, blank=True)
    mentor_capacity = models.PositiveSmallIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Release: the two members are told (the notifications issue sends the emails) and from
    # then on see each other. Until then members see "matching in progress".
    notified_at = models.DateTimeField(null=True, blank=True)
    # A pair made mid-period (a rematch) counts its hours from this day, not from the period's
    # start. Empty: the cohort's period start.
    starts_on = models.DateField(
        "hour ledger starts on",
        null=True,
        blank=True,
        help_text="Set for a rematch: the new pair's hours count from this day.",
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    end_reason = models.TextField(blank=True)
    # A pair staff made by hand under the cohort's minimum score: why they chose it anyway.
    below_minimum_reason = models.TextField(
        "why made below the minimum score",
        blank=True,
        help_text="Given by staff who made this pair by hand although it scores below the "
        "cohort's minimum.",
    )

    objects = MatchQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["mentee"],
                condition=Q(status="approved"),
                name="one_active_match_per_mentee",
            ),
            models.UniqueConstraint(
                fields=["mentor", "mentor_slot"],
                condition=Q(status="approved"),
                name="one_active_match_per_mentor_slot",
            ),
            models.UniqueConstraint(fields=["run", "mentee"], name="one_proposal_per_mentee"),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(mentor_slot__gte=1) & Q(mentor_slot__lte=F("mentor_capacity"))),
                name="approved_match_within_mentor_capacity",
            ),
            models.CheckConstraint(
                condition=~Q(mentor=F("mentee")), name="match_of_two_applications"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=0) & Q(score__lte=100), name="match_score_in_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | Q(ended_at__isnull=False),
                name="ended_match_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "status"]),
            # The admin's match list and a run's page, best first, a page at a time: read from
            # an index in order, not every pair of the table joined and sorted per page view.
            models.Index(fields=["-score", "id"], name="match_best_first"),
            models.Index(fields=["run", "-score", "id"], name="match_run_best_first"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor.member} and {self.mentee.member}"

    @property
    def is_released(self) -> bool:
        return self.notified_at is not None and self.status in {
            self.Status.APPROVED,
            self.Status.ENDED,
        }
