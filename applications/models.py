from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from cohorts.models import Cohort
from core.validators import validate_time_zone

# ---------------------------------------------------------------------------------------------
# Reference data: real, staff-editable, seeded by a data migration.
# ---------------------------------------------------------------------------------------------


class CensusRegion(models.TextChoices):
    NORTHEAST = "northeast", "Northeast"
    MIDWEST = "midwest", "Midwest"
    SOUTH = "south", "South"
    WEST = "west", "West"
    TERRITORIES = "territories", "U.S. territories"
    OUTSIDE_US = "outside", "Outside the US"


class CensusDivision(models.TextChoices):
    NEW_ENGLAND = "new_england", "New England"
    MIDDLE_ATLANTIC = "middle_atlantic", "Middle Atlantic"
    EAST_NORTH_CENTRAL = "east_north_central", "East North Central"
    WEST_NORTH_CENTRAL = "west_north_central", "West North Central"
    SOUTH_ATLANTIC = "south_atlantic", "South Atlantic"
    EAST_SOUTH_CENTRAL = "east_south_central", "East South Central"
    WEST_SOUTH_CENTRAL = "west_south_central", "West South Central"
    MOUNTAIN = "mountain", "Mountain"
    PACIFIC = "pacific", "Pacific"
    TERRITORIES = "territories", "U.S. territories"
    OUTSIDE_US = "outside", "Outside the US"


class Location(models.Model):
    """A US state, DC, a territory, or "outside the US", with its Census region and division."""

    code = models.CharField(
        max_length=8, unique=True, help_text="USPS code, or XX for outside the US."
    )
    name = models.CharField(max_length=100)
    region = models.CharField(max_length=20, choices=CensusRegion)
    division = models.CharField(max_length=20, choices=CensusDivision)
    default_time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class ReferenceItem(models.Model):
    """A choice staff can reorder, or retire without deleting what members already chose."""

    name = models.CharField(max_length=120, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        abstract = True
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class PracticeArea(ReferenceItem):
    """The association's practice sections and forums: a member's professional home."""

    class Kind(models.TextChoices):
        SECTION = "section", "Section"
        FORUM = "forum", "Forum"

    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SECTION)
    description = models.CharField(max_length=300, blank=True)


class CareerStage(models.Model):
    name = models.CharField(max_length=80, unique=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Increasing with experience; matching compares stages by this."
    )
    is_student = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class Interest(ReferenceItem):
    category = models.CharField(max_length=80, blank=True)

    class Meta(ReferenceItem.Meta):
        ordering = ["category", "order", "name"]


class BackgroundGroup(ReferenceItem):
    """A self-identification a member may choose to share for shared-background matching."""


# ---------------------------------------------------------------------------------------------
# Membership and profiles
# ---------------------------------------------------------------------------------------------


class Membership(models.Model):
    """One row of the association's member roster, imported by staff."""

    member_number = models.CharField(max_length=32, unique=True)
    email = models.EmailField()
    first_name = models.CharField(max_length=150)
    last_name = models.CharField(max_length=150)
    expires_on = models.DateField(null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership",
    )
    linked_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.member_number} {self.first_name} {self.last_name}"

    def is_current_on(self, day: date) -> bool:
        return self.expires_on is None or self.expires_on >= day


class MemberProfile(models.Model):
    """What a member tells the program about themselves, reused across cohorts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    pronouns = models.CharField(max_length=40, blank=True)
    credentials = models.CharField(
        "credentials and title", max_length=150, blank=True, help_text="For example PharmD, BCPS."
    )
    institution = models.CharField("institution or employer", max_length=200, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, verbose_name="state"
    )
    time_zone = models.CharField(max_length=64, blank=True, validators=[validate_time_zone])
    practice_areas = models.ManyToManyField(PracticeArea, blank=True, related_name="+")
    career_stage = models.ForeignKey(CareerStage, on_delete=models.PROTECT, null=True, blank=True)
    interests = models.ManyToManyField(Interest, blank=True, related_name="+")
    bio = models.TextField("short bio", max_length=2000, blank=True)
    # Private: seen by the member and by staff holding the view_self_identification permission.
    background_groups = models.ManyToManyField(
        BackgroundGroup, blank=True, related_name="+", verbose_name="self-identification"
    )
    use_background_in_matching = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        permissions = [
            ("view_self_identification", "Can see members' private self-identification"),
        ]

    def __str__(self) -> str:
        return f"Profile of {self.user}"


# ---------------------------------------------------------------------------------------------
# Applications
# ---------------------------------------------------------------------------------------------


class Role(models.TextChoices):
    MENTOR = "mentor", "Mentor"
    MENTEE = "mentee", "Mentee"


class Importance(models.IntegerChoices):
    NOT = 0, "Not important"
    SOMEWHAT = 1, "Somewhat important"
    VERY = 2, "Very important"


class ApplicationQuerySet(models.QuerySet):
    def for_cohort(self, cohort: Cohort) -> "ApplicationQuerySet":
        return self.filter(cohort=cohort)

    def for_member(self, user) -> "ApplicationQuerySet":
        return self.filter(member=user)

    def submitted(self) -> "ApplicationQuerySet":
        return self.exclude(status__in=[Application.Status.DRAFT, Application.Status.WITHDRAWN])

    def accepted(self) -> "ApplicationQuerySet":
        return self.filter(status=Application.Status.ACCEPTED)

    def mentors(self) -> "ApplicationQuerySet":
        return self.filter(role=Role.MENTOR)

    def mentees(self) -> "ApplicationQuerySet":
        return self.filter(role=Role.MENTEE)

    def count_by_role(self) -> dict[str, int]:
        """{role: number of applications}, in one query; a role with none is 0."""
        counts = dict(self.order_by().values_list("role").annotate(n=models.Count("pk")))
        return {role: counts.get(role, 0) for role in Role.values}


class Application(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        WAITLISTED = "waitlisted", "Waitlisted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="applications"
    )
    role = models.CharField(max_length=10, choices=Role)
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)

    # Mentees
    goals = models.TextField(
        "skills, knowledge and goals you want to achieve", max_length=4000, blank=True
    )
    desired_practice_areas = models.ManyToManyField(
        PracticeArea, blank=True, related_name="+", verbose_name="mentor practice areas you want"
    )
    region_importance = models.PositiveSmallIntegerField(
        "a mentor near you", choices=Importance, default=Importance.SOMEWHAT
    )
    background_importance = models.PositiveSmallIntegerField(
        "a mentor in the practice areas you chose", choices=Importance, default=Importance.VERY
    )
    interests_importance = models.PositiveSmallIntegerField(
        "a mentor who shares your interests", choices=Importance, default=Importance.SOMEWHAT
    )
    wants_shared_background = models.BooleanField(
        "prefer a mentor who shares my background", default=False
    )

    # Mentors
    offer = models.TextField("what you can offer a mentee", max_length=4000, blank=True)
    mentee_capacity = models.PositiveSmallIntegerField("how many mentees you can take", default=1)

    # Both
    availability = models.TextField(max_length=1000, blank=True)
    agrees_to_commitment = models.BooleanField(default=False)
    agrees_to_confidentiality = models.BooleanField(default=False)

    # Invited from an earlier cohort's waitlist (or left unmatched there): staff filter on it,
    # and matching prefers these applicants among otherwise equal choices.
    priority = models.BooleanField(
        default=False,
        help_text="Invited from an earlier cohort's waitlist or unmatched applicants; matching "
        "prefers them among otherwise equal choices.",
    )
    invited_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        help_text="The earlier application this one was pre-filled from.",
    )

    # The profile fields matching uses, frozen at submission so later edits of the profile do
    # not change a cohort that has closed.
    profile_snapshot = models.JSONField(default=dict, blank=True, editable=False)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "member"], name="one_application_per_cohort"),
            models.CheckConstraint(
                condition=Q(mentee_capacity__gte=1), name="application_mentee_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "role", "status"]),
            # The admin's list, newest first a page at a time, read in order from an index.
            models.Index(fields=["-created_at", "-id"], name="application_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.member} as {self.get_role_display().lower()} in {self.cohort}"

    def get_absolute_url(self) -> str:
        return reverse("applications:detail", kwargs={"pk": self.pk})

    @property
    def is_mentor(self) -> bool:
        return self.role == Role.MENTOR

    @property
    def is_editable_status(self) -> bool:
        return self.status in {self.Status.DRAFT, self.Status.SUBMITTED}
