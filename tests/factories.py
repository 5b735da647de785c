import zoneinfo
from datetime import date, datetime, timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort, Resource
from matching.models import Match
from meetings.models import Meeting

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A member who has signed up and confirmed their email address."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def verified(self, create: bool, extracted: bool | None, **kwargs) -> None:
        if create:
            EmailAddress.objects.create(
                user=self, email=self.email, primary=True, verified=extracted is not False
            )


class StaffFactory(UserFactory):
    email = factory.Sequence(lambda n: f"staff{n}@example.test")
    is_staff = True
    is_superuser = True


class CohortFactory(factory.django.DjangoModelFactory):
    """A cohort taking applications now, on the pilot's rhythm."""

    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    slug = factory.Sequence(lambda n: f"cohort-{n}")
    applications_open_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    application_deadline = factory.LazyAttribute(
        lambda c: c.applications_open_at + timedelta(days=30)
    )
    match_notification_date = factory.LazyAttribute(
        lambda c: (c.application_deadline + timedelta(days=21)).date()
    )
    orientation_at = factory.LazyAttribute(lambda c: c.application_deadline + timedelta(days=24))
    period_start = factory.LazyAttribute(lambda c: c.match_notification_date + timedelta(days=1))
    period_end = factory.LazyAttribute(lambda c: c.period_start + timedelta(days=182))


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.Membership"

    member_number = factory.Sequence(lambda n: f"M{100000 + n}")
    email = factory.LazyAttribute(lambda m: m.user.email if m.user else f"{m.member_number}@x.test")
    first_name = factory.LazyAttribute(lambda m: m.user.first_name if m.user else "Pat")
    last_name = factory.LazyAttribute(lambda m: m.user.last_name if m.user else "Member")
    expires_on = None
    user = None
    linked_at = factory.LazyAttribute(lambda m: timezone.now() if m.user else None)


def _location(code: str):
    from applications.models import Location

    return Location.objects.get(code=code)


def _stage(name: str):
    from applications.models import CareerStage

    return CareerStage.objects.get(name=name)


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "applications.MemberProfile"

    location = factory.LazyFunction(lambda: _location("CO"))
    time_zone = factory.LazyAttribute(
        lambda p: p.location.default_time_zone if p.location else "America/Denver"
    )
    career_stage = factory.LazyFunction(lambda: _stage("Student pharmacist, P3"))


class MemberFactory(UserFactory):
    """A verified account linked to a current membership, with a complete profile."""

    membership = factory.RelatedFactory(MembershipFactory, factory_related_name="user")
    profile = factory.RelatedFactory(ProfileFactory, factory_related_name="user")


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A submitted mentee application."""

    class Meta:
        model = "applications.Application"

    cohort = factory.SubFactory(CohortFactory)
    member = factory.SubFactory(MemberFactory)
    role = "mentee"
    status = "submitted"
    goals = "Prepare for residency."
    agrees_to_commitment = True
    agrees_to_confidentiality = True
    submitted_at = factory.LazyFunction(timezone.now)


class SelectionCohortFactory(CohortFactory):
    """A cohort whose applications closed five days ago: staff are selecting and matching."""

    applications_open_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=40))
    application_deadline = factory.LazyFunction(lambda: timezone.now() - timedelta(days=5))


def _snapshot(member) -> dict:
    from applications.services import profile_snapshot

    return profile_snapshot(member.profile)


class AcceptedFactory(ApplicationFactory):
    """An accepted application with its profile frozen, ready to be matched.

    Pass `location="UT"`, `stage="..."` to shape the member's profile before the snapshot.
    """

    class Params:
        location = "CO"
        stage = "Student pharmacist, P3"

    cohort = factory.SubFactory(SelectionCohortFactory)
    status = "accepted"
    decided_at = factory.LazyFunction(timezone.now)

    @factory.lazy_attribute
    def profile_snapshot(self) -> dict:
        profile = self.member.profile
        profile.location = _location(self.location)
        profile.time_zone = profile.location.default_time_zone
        profile.career_stage = _stage(self.stage)
        profile.save()
        return _snapshot(self.member)


class AcceptedMentorFactory(AcceptedFactory):
    class Params:
        location = "CO"
        stage = "Experienced (16-25 years)"

    role = "mentor"
    goals = ""
    offer = "Residency precepting."
    mentee_capacity = 1


class ResourceFactory(factory.django.DjangoModelFactory):
    """A link in the resource library for every cohort and both roles.

    `ResourceFactory(uploaded=True)` makes a PDF file resource instead: point MEDIA_ROOT at a
    temporary directory first.
    """

    class Meta:
        model = Resource

    class Params:
        uploaded = factory.Trait(
            url="",
            file=factory.django.FileField(filename="Mentee guide.pdf", data=b"%PDF-1.4 guide"),
            original_filename="Mentee guide.pdf",
        )

    title = factory.Sequence(lambda n: f"Resource {n}")
    url = factory.Sequence(lambda n: f"https://example.org/guides/{n}")
    audience = Resource.Audience.ALL
    phase = Resource.Phase.ORIENTATION
    cohort = None


PILOT_ZONE = zoneinfo.ZoneInfo("America/New_York")


class ActiveCohortFactory(CohortFactory):
    """The pilot's calendar: applications closed Sept 9, period Oct 1 2026 to Mar 31 2027.

    Dates are fixed, so tests freeze time inside or around the period with time_machine.
    """

    applications_open_at = datetime(2026, 8, 1, 9, tzinfo=PILOT_ZONE)
    application_deadline = datetime(2026, 9, 9, 23, 59, tzinfo=PILOT_ZONE)
    match_notification_date = date(2026, 9, 30)
    orientation_at = datetime(2026, 10, 3, 12, tzinfo=PILOT_ZONE)
    period_start = date(2026, 10, 1)
    period_end = date(2027, 3, 31)


class PairFactory(factory.django.DjangoModelFactory):
    """A released pair: an approved match both members have been told about.

    The mentee lives in Colorado (America/Denver), which decides the ledger's months.
    """

    class Meta:
        model = Match

    cohort = factory.SubFactory(ActiveCohortFactory)
    mentor = factory.SubFactory(AcceptedMentorFactory, cohort=factory.SelfAttribute("..cohort"))
    mentee = factory.SubFactory(AcceptedFactory, cohort=factory.SelfAttribute("..cohort"))
    status = "approved"
    score = 72
    reasons = factory.LazyFunction(lambda: ["both practise in ambulatory care"])
    mentor_slot = 1
    mentor_capacity = 1
    # Approved and released as the pilot's calendar has it (the notification date): a pair
    # released "now" belonged to the month a test ran in, and the monthly job, which leaves out
    # pairs released after a month ended, found none for November on December 1 (UTC).
    decided_at = datetime(2026, 9, 25, 10, tzinfo=PILOT_ZONE)
    notified_at = datetime(2026, 9, 30, 9, tzinfo=PILOT_ZONE)


def _held_on(meeting) -> date | None:
    if meeting.status != "held":
        return None
    return meeting.starts_at.astimezone(zoneinfo.ZoneInfo("America/Denver")).date()


class MeetingFactory(factory.django.DjangoModelFactory):
    """A held meeting, logged by the mentee; `status="planned"` for one still ahead."""

    class Meta:
        model = Meeting

    match = factory.SubFactory(PairFactory)
    status = "held"
    # A day apart, all inside the pilot period (Oct 8 to Mar 26), so one pair can hold 170.
    starts_at = factory.Sequence(
        lambda n: (
            datetime(2026, 10, 8, 17, tzinfo=zoneinfo.ZoneInfo("America/Denver"))
            + timedelta(days=n % 170)
        )
    )
    duration_minutes = 60
    format = "video"
    held_on = factory.LazyAttribute(_held_on)
    logged_at = factory.LazyAttribute(
        lambda m: m.starts_at + timedelta(hours=2) if m.status == "held" else None
    )
    logged_by = factory.LazyAttribute(
        lambda m: m.match.mentee.member if m.status == "held" else None
    )
    created_by = factory.LazyAttribute(lambda m: m.match.mentee.member)
