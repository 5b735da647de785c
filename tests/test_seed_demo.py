from datetime import date

import pytest
from allauth.account.models import EmailAddress
from django.core.management import call_command

from accounts.models import User
from cohorts.models import Cohort

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_account_and_a_cohort_in_each_phase(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "Staff login: staff@demo.test / demo-pass-2026" in out
    emails = set(User.objects.values_list("email", flat=True))
    assert emails == {
        "staff@demo.test",
        "mentee@demo.test",
        "mentor@demo.test",
        "outsider@demo.test",
    }
    assert User.objects.get(email="staff@demo.test").is_staff
    assert not User.objects.get(email="outsider@demo.test").is_staff
    assert EmailAddress.objects.filter(verified=True, primary=True).count() == 4
    phases = {c.slug: c.phase for c in Cohort.objects.all()}
    assert phases == {
        "pilot-completed": Cohort.Phase.COMPLETED,
        "active": Cohort.Phase.ACTIVE,
        "next": Cohort.Phase.APPLICATIONS_OPEN,
    }


def test_seed_demo_twice_changes_nothing_but_the_password(client):
    call_command("seed_demo")
    call_command("seed_demo", password="another-pass-2026")
    assert User.objects.count() == 4
    assert EmailAddress.objects.count() == 4
    assert Cohort.objects.count() == 3
    assert client.login(email="mentee@demo.test", password="another-pass-2026")


@pytest.mark.parametrize("today", [date(2026, 1, 31), date(2026, 11, 30), date(2026, 12, 31)])
def test_seed_demo_dates_hold_together_whatever_the_day(today):
    from mentorship.demo import seed_demo

    result = seed_demo(today=today)
    for cohort in result["cohorts"].values():
        cohort.full_clean()
