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
