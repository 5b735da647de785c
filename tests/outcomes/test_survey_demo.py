"""The demo's surveys: the completed cohort answered, the active cohort's midpoint open and
unanswered by mentee@demo.test, and seeding twice adds nothing."""

import pytest
from django.urls import reverse

from mentorship.demo import seed_demo
from outcomes.models import Answer, Invitation, Response, Survey
from outcomes.selectors import low_satisfaction_pair_ids

pytestmark = pytest.mark.django_db


def test_the_demo_has_answered_surveys_and_an_open_one_for_the_demo_mentee(client):
    result = seed_demo()
    completed = Survey.objects.filter(cohort__slug="pilot-completed")
    assert sorted(completed.values_list("point", flat=True)) == ["end", "midpoint"]
    for survey in completed:
        assert Response.objects.filter(survey=survey).count() >= 5
    end = completed.get(point="end")
    assert end.is_anonymous
    assert not Response.objects.filter(survey=end, invitation__isnull=False).exists()

    mentee = result["users"]["mentee@demo.test"]
    [invitation] = Invitation.objects.filter(user=mentee, survey__cohort__slug="active")
    assert invitation.survey.point == "midpoint"
    assert invitation.responded_at is None
    client.force_login(mentee)
    page = client.get(reverse("outcomes:survey_answer", args=[invitation.pk]))
    assert page.status_code == 200
    assert "Send my answers" in page.content.decode()
    assert "Midpoint check-in" in client.get(reverse("outcomes:survey_list")).content.decode()
    # Another member of the active cohort rated the match low: staff see the pair flagged.
    assert len(low_satisfaction_pair_ids()) == 1


def test_seeding_the_demo_twice_adds_no_survey_or_answer():
    seed_demo()
    counts = (Survey.objects.count(), Invitation.objects.count(), Answer.objects.count())
    seed_demo()
    assert (Survey.objects.count(), Invitation.objects.count(), Answer.objects.count()) == counts
