from datetime import timedelta

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from cohorts.models import Cohort

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
