"""What the program shows for itself: surveys and their answers, and completion certificates.

Surveys are *confidential* (staff see who said what; the partner never does) or *anonymous*
(nothing ties an answer to a person). The split is in the tables: an `Invitation` records that a
person was asked and whether they answered; a `Response` holds the answers and, for an anonymous
survey, no invitation, no person, no time and a random primary key, so neither a join nor the
order of rows leads back to who wrote it.

A `Certificate` is the completion record of one member of one pair whose confirmed meetings met
the cohort's commitment; its random code is the public verification address.
"""

import secrets
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cohorts.models import Cohort
from matching.models import Match
from meetings.models import Meeting


class Role(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class Survey(models.Model):
    class Point(models.TextChoices):
        ORIENTATION = "orientation", "After orientation"
        MIDPOINT = "midpoint", "Midpoint (on a date)"
        END = "end", "End of the mentorship period"
        AFTER_MEETING = "after_meeting", "Short pulse after each confirmed meeting"

    class Audience(models.TextChoices):
        BOTH = "both", "Mentors and mentees"
        MENTOR = "mentor", "Mentors"
        MENTEE = "mentee", "Mentees"

    class Privacy(models.TextChoices):
        CONFIDENTIAL = "confidential", "Confidential: staff see who answered what"
        ANONYMOUS = "anonymous", "Anonymous: nothing ties an answer to a person"

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="surveys")
    title = models.CharField(max_length=200)
    introduction = models.TextField(blank=True)
    point = models.CharField(max_length=20, choices=Point)
    # The day a midpoint survey opens; the other points take their day from the cohort (the end
    # of orientation, the end of the period) or from the meeting.
    opens_on = models.DateField(null=True, blank=True)
    open_days = models.PositiveSmallIntegerField(
        "open for (days)",
        default=21,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text="How long members can answer (and change their answer) after it opens.",
    )
    audience = models.CharField(max_length=10, choices=Audience, default=Audience.BOTH)
    privacy = models.CharField(max_length=20, choices=Privacy, default=Privacy.CONFIDENTIAL)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cohort", "opens_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(point="midpoint") | Q(opens_on__isnull=False),
                name="midpoint_survey_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.cohort})"

    @property
    def is_anonymous(self) -> bool:
        return self.privacy == self.Privacy.ANONYMOUS


class Question(models.Model):
    class Kind(models.TextChoices):
        SCALE = "scale", "1 to 5"
        RECOMMEND = "recommend", "0 to 10: how likely to recommend"
        SINGLE = "single", "One choice"
        MULTIPLE = "multiple", "Several choices"
        TEXT = "text", "Free text"

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    help_text = models.CharField(max_length=300, blank=True)
    kind = models.CharField(max_length=10, choices=Kind)
    # For one and several choices: one choice per line.
    choices = models.TextField(blank=True, help_text="One choice per line.")
    required = models.BooleanField(default=True)
    # "How satisfied are you with your match?": a low answer in a confidential survey flags
    # the pair for staff.
    measures_match_satisfaction = models.BooleanField(default=False)

    class Meta:
        ordering = ["survey", "order", "pk"]

    def __str__(self) -> str:
        return self.text

    @property
    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class InvitationQuerySet(models.QuerySet):
    def answered(self) -> "InvitationQuerySet":
        return self.filter(responded_at__isnull=False)

    def unanswered(self) -> "InvitationQuerySet":
        return self.filter(responded_at__isnull=True)


class Invitation(models.Model):
    """One person asked to answer one survey (for a pulse survey: about one meeting).

    Records participation only. For an anonymous survey this row is all that is known about
    the person; their answers live in a `Response` with no way back here.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_invitations"
    )
    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    role = models.CharField(max_length=10, choices=Role)
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)
    # When the invitation email was recorded: the job claims each invitation once by setting it.
    invited_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    responded_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["survey", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=Q(meeting__isnull=True),
                name="one_invitation_per_survey_and_person",
            ),
            models.UniqueConstraint(
                fields=["survey", "user", "meeting"],
                condition=Q(meeting__isnull=False),
                name="one_invitation_per_meeting_and_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey} for {self.user}"


class Response(models.Model):
    """The answers of one person to one survey.

    Confidential: `invitation` says whose. Anonymous: `invitation` is empty and the row holds
    no time; the random key keeps insertion order from pairing it with an invitation. The
    member may change an anonymous answer from the browser that holds the edit token (only its
    hash is stored here).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, null=True, blank=True, related_name="response"
    )
    edit_token_hash = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["survey", "id"]

    def __str__(self) -> str:
        return f"Response to {self.survey}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # Scale and recommend: the number; one choice and several choices: `choices`.
    number = models.SmallIntegerField(null=True, blank=True)
    choices = models.JSONField(default=list, blank=True)
    text = models.TextField(max_length=4000, blank=True)

    class Meta:
        ordering = ["question", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="one_answer_per_question")
        ]

    def __str__(self) -> str:
        return f"Answer to {self.question_id}"


def _new_certificate_code() -> str:
    return secrets.token_urlsafe(12)


class CertificateQuerySet(models.QuerySet):
    def valid(self) -> "CertificateQuerySet":
        return self.filter(revoked_at__isnull=True)


class Certificate(models.Model):
    """The completion record of one member of one pair, and its certificate.

    The figures are copied when it is issued, so the certificate and its public page say the
    same thing after retention removes the private parts or the member leaves.
    """

    code = models.CharField(max_length=32, unique=True, default=_new_certificate_code)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="certificates")
    match = models.ForeignKey(Match, on_delete=models.PROTECT, related_name="certificates")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="certificates",
    )
    role = models.CharField(max_length=10, choices=Role)
    name = models.CharField(max_length=300)
    program = models.CharField(max_length=200)
    cohort_name = models.CharField(max_length=200)
    period_start = models.DateField()
    period_end = models.DateField()
    confirmed_minutes = models.PositiveIntegerField()
    meetings = models.PositiveIntegerField()
    issued_at = models.DateTimeField()
    # Empty when the closing job issued it; a staff member and a reason for an exception.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    exception_reason = models.TextField(blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    revoke_reason = models.TextField(blank=True)

    objects = CertificateQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["match", "role"], name="one_certificate_per_member"),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.code} for {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:verify_certificate", kwargs={"code": self.code})

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None
