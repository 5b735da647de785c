"""The demo's sign-ins: staff, a mentee and a mentor who become a pair, an outsider, and an
alumna of the completed cohort who holds a certificate."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from applications.models import (
    CareerStage,
    Interest,
    Location,
    MemberProfile,
    Membership,
    PracticeArea,
)

DEFAULT_PASSWORD = "demo-pass-2026"  # noqa: S105 - demo accounts only, printed by the command


@dataclass(frozen=True)
class DemoAccount:
    email: str
    first_name: str
    last_name: str
    is_staff: bool = False
    member_number: str = ""
    location: str = ""
    career_stage: str = ""
    credentials: str = ""
    institution: str = ""
    note: str = ""  # printed beside the login


DEMO_ACCOUNTS = (
    DemoAccount("staff@demo.test", "Sam", "Staffer", is_staff=True),
    DemoAccount(
        "mentee@demo.test",
        "Maya",
        "Mentee",
        member_number="D-1001",
        location="CO",
        career_stage="Student pharmacist, P3",
        credentials="PharmD candidate",
        institution="University of Colorado Skaggs School of Pharmacy",
    ),
    DemoAccount(
        "mentor@demo.test",
        "Morgan",
        "Mentor",
        member_number="D-1002",
        location="UT",
        career_stage="Experienced (16-25 years)",
        credentials="PharmD, BCPS",
        institution="Intermountain Health",
    ),
    DemoAccount(
        "outsider@demo.test",
        "Oliver",
        "Outsider",
        member_number="D-1003",
        location="OH",
        career_stage="New practitioner (0-5 years)",
        credentials="PharmD",
        institution="Cleveland Clinic",
    ),
    DemoAccount(
        "alumni@demo.test",
        "Alex",
        "Alumni",
        member_number="D-1004",
        location="WA",
        career_stage="Student pharmacist, P4",
        credentials="PharmD candidate",
        institution="University of Washington School of Pharmacy",
        note="member of the completed cohort, holds a certificate",
    ),
)


def seed_accounts(*, password: str) -> dict[str, User]:
    """Create or refresh every demo account, signed in with `password`; by email."""
    users = {}
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.update_or_create(
            email=account.email,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "is_staff": account.is_staff,
                "is_superuser": account.is_staff,
                "is_active": True,
            },
        )
        user.set_password(password)
        user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(
            user=user, email=account.email, defaults={"verified": True, "primary": True}
        )
        if account.member_number:
            _demo_member(user, account)
        users[account.email] = user
    return users


def _demo_member(user: User, account: DemoAccount) -> None:
    """A verified membership and a complete profile, so the account can apply."""
    Membership.objects.update_or_create(
        member_number=account.member_number,
        defaults={
            "email": account.email,
            "first_name": account.first_name,
            "last_name": account.last_name,
            "user": user,
            "linked_at": timezone.now(),
        },
    )
    location = Location.objects.get(code=account.location)
    profile, _ = MemberProfile.objects.update_or_create(
        user=user,
        defaults={
            "location": location,
            "time_zone": location.default_time_zone,
            "career_stage": CareerStage.objects.get(name=account.career_stage),
            "credentials": account.credentials,
            "institution": account.institution,
        },
    )
    profile.practice_areas.set(PracticeArea.objects.order_by("order")[:2])
    profile.interests.set(Interest.objects.order_by("name")[:3])
