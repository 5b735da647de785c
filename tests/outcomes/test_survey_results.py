"""Survey results for staff: rates, distributions as charts, means, texts and CSV; anonymous
answers tied to nobody anywhere staff look; a low match-satisfaction answer flags the pair."""

import csv
import io
import re
import zoneinfo
from datetime import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse

from core.models import AccessRecord
from meetings.digest import staff_digest_compute
from outcomes.models import Answer, Invitation, Survey
from outcomes.selectors import survey_results
from outcomes.surveys import survey_invitations_create, survey_response_save
from tests.factories import PairFactory, UserFactory
from tests.outcomes.survey_factories import SurveyFactory, with_questions

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DURING = datetime(2026, 12, 16, 10, tzinfo=NEW_YORK)
SECRET = "My mentor cancels every meeting."


@pytest.fixture(autouse=True)
def _during():
    with time_machine.travel(DURING, tick=False):
        yield


def answered_survey(
    *, privacy: str, pairs: int = 2, scale: int = 2, email: str = "maya@example.test"
) -> tuple[Survey, list]:
    """A survey of `pairs` pairs whose mentees answered (the first with SECRET) and mentors
    did not."""
    first = PairFactory(
        mentee__member__first_name="Maya",
        mentee__member__last_name="Menteeson",
        mentee__member__email=email,
    )
    matches = [first] + [PairFactory(cohort=first.cohort) for _ in range(pairs - 1)]
    survey = SurveyFactory(cohort=first.cohort, privacy=privacy)
    questions = with_questions(survey)
    survey_invitations_create()
    for index, match in enumerate(matches):
        invitation = Invitation.objects.get(survey=survey, user=match.mentee.member)
        survey_response_save(
            invitation_id=invitation.pk,
            answers={
                questions["scale"].pk: scale if index == 0 else 4,
                questions["recommend"].pk: 8,
                questions["single"].pk: "Monthly",
                questions["multiple"].pk: ["Goals", "Meetings"],
                questions["text"].pk: SECRET if index == 0 else "",
            },
        )
    return survey, matches


def results_url(survey: Survey) -> str:
    return reverse("admin:outcomes_survey_results", args=[survey.pk])


def export_url(survey: Survey) -> str:
    return reverse("admin:outcomes_survey_export", args=[survey.pk])


def test_the_results_show_rates_by_role_means_charts_and_texts(admin_client):
    survey, _ = answered_survey(privacy="confidential")
    html = admin_client.get(results_url(survey)).content.decode()
    rates = re.sub(r"\s+", " ", html)
    assert '<th scope="row">Mentee</th><td>2</td><td>2</td><td>100%</td>' in rates
    assert '<th scope="row">Mentor</th><td>2</td><td>0</td><td>0%</td>' in rates
    assert "mean 3.0 of 5" in html
    assert "mean 8.0 of 10" in html
    assert len(re.findall(r'<svg [^>]*role="img"', html)) == 4
    assert SECRET in html
    # The charts keep to the Content-Security-Policy: no inline style or script.
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        assert "<style" not in svg and "<script" not in svg and "style=" not in svg


def test_the_csv_of_a_confidential_survey_says_who_answered_what(admin_client):
    survey, _ = answered_survey(privacy="confidential")
    response = admin_client.get(export_url(survey))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["name", "email", "role", "answered_at"]
    maya = next(row for row in rows if row[1] == "maya@example.test")
    assert maya[4] == "2"
    assert SECRET in maya
    # Names with answers are member data: the export is on the record of staff access.
    record = AccessRecord.objects.get()
    assert record.kind == AccessRecord.Kind.MEMBER_EXPORT
    assert str(survey.pk) in record.description


def test_no_staff_page_or_export_ties_an_anonymous_answer_to_a_person(admin_client):
    survey, matches = answered_survey(privacy="anonymous")
    mentee = matches[0].mentee.member
    invitation = Invitation.objects.get(survey=survey, user=mentee)
    clues = [mentee.email, mentee.last_name, "Maya"]
    pages = {
        "results": admin_client.get(results_url(survey)),
        "export": admin_client.get(export_url(survey)),
        "list": admin_client.get(reverse("admin:outcomes_survey_changelist")),
        "change": admin_client.get(reverse("admin:outcomes_survey_change", args=[survey.pk])),
    }
    for name, page in pages.items():
        assert page.status_code == 200, name
        body = page.content.decode()
        for clue in clues:
            assert clue not in body, (name, clue)
    assert SECRET in pages["results"].content.decode()
    rows = list(csv.reader(io.StringIO(pages["export"].content.decode())))
    assert "name" not in rows[0] and "answered_at" not in rows[0]
    # No admin of its own for invitations, responses or answers.
    for model in ("invitation", "response", "answer"):
        assert admin_client.get(f"/admin/outcomes/{model}/").status_code == 404
    # A query string walking from the survey to a person is refused, whatever the person.
    changelist = reverse("admin:outcomes_survey_changelist")
    for lookup in (
        "responses__invitation__user__id",
        "invitations__user__id",
        "responses__answers__text__icontains",
    ):
        for value in (str(invitation.user_id), "999999", SECRET[:4]):
            assert admin_client.get(changelist, {lookup: value}).status_code == 400, lookup


def test_free_texts_are_listed_in_the_order_of_the_random_response_ids_not_of_answering():
    survey = SurveyFactory(cohort=PairFactory().cohort, privacy="anonymous")
    question = with_questions(survey)["text"]
    for _ in range(5):
        PairFactory(cohort=survey.cohort)
    survey_invitations_create()
    for index, invitation in enumerate(Invitation.objects.filter(survey=survey).order_by("pk")):
        survey_response_save(invitation_id=invitation.pk, answers={question.pk: f"Text {index}"})
    [result] = [r for r in survey_results(survey) if r.question == question]
    by_id = Answer.objects.filter(question=question).order_by("response_id")
    assert result.texts == [answer.text for answer in by_id]


def test_the_results_need_the_permission_to_view_surveys(client):
    survey, _ = answered_survey(privacy="confidential")
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get(results_url(survey)).status_code == 403
    assert client.get(export_url(survey)).status_code == 403
    staff.user_permissions.add(Permission.objects.get(codename="view_survey"))
    assert client.get(results_url(survey)).status_code == 200


def test_the_results_page_takes_the_same_number_of_queries_whatever_the_number_of_answers(
    admin_client, django_assert_max_num_queries
):
    small, _ = answered_survey(privacy="confidential", pairs=1)
    with django_assert_max_num_queries(12):
        admin_client.get(results_url(small))
    large, _ = answered_survey(privacy="confidential", pairs=8, email="mo@example.test")
    with django_assert_max_num_queries(12):
        admin_client.get(results_url(large))


def test_staff_add_the_standard_surveys_to_a_cohort_from_the_survey_list(admin_client):
    pair = PairFactory()
    url = reverse("admin:outcomes_survey_standard")
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"cohort": pair.cohort.pk})
    assert response.status_code == 302
    assert Survey.objects.filter(cohort=pair.cohort).count() == 2
    assert admin_client.post(url, {"cohort": "nonsense"}).status_code == 200


# ---------------------------------------------------------------------------------------------
# Flags
# ---------------------------------------------------------------------------------------------


def test_a_low_satisfaction_answer_in_a_confidential_survey_flags_the_pair(admin_client):
    _, matches = answered_survey(privacy="confidential", scale=1)
    pairs = reverse("admin:meetings_pair_changelist")
    flagged = admin_client.get(pairs, {"flag": "low_satisfaction"})
    assert flagged.status_code == 200
    assert [p.pk for p in flagged.context_data["cl"].result_list] == [matches[0].pk]
    assert "Low match satisfaction (survey)" in admin_client.get(pairs).content.decode()

    digest = staff_digest_compute()
    [section] = digest["sections"]
    assert section["title"] == "Low match satisfaction"
    assert [item["url"].rsplit("/", 3)[-3] for item in section["items"]] == [str(matches[0].pk)]


def test_a_low_answer_in_an_anonymous_survey_flags_nobody(admin_client):
    answered_survey(privacy="anonymous", scale=1)
    flagged = admin_client.get(
        reverse("admin:meetings_pair_changelist"), {"flag": "low_satisfaction"}
    )
    assert list(flagged.context_data["cl"].result_list) == []
    assert staff_digest_compute()["sections"] == []


def test_a_middling_answer_flags_nobody():
    answered_survey(privacy="confidential", scale=3)
    assert staff_digest_compute()["sections"] == []


def test_once_a_survey_has_answers_its_questions_are_locked_in_admin(admin_client):
    survey, _ = answered_survey(privacy=Survey.Privacy.CONFIDENTIAL)
    unanswered = SurveyFactory(cohort=survey.cohort)
    with_questions(unanswered)
    change = reverse("admin:outcomes_survey_change", args=[unanswered.pk])
    html = admin_client.get(change).content.decode()
    assert 'name="questions-0-text"' in html and "questions are locked" not in html

    html = admin_client.get(reverse("admin:outcomes_survey_change", args=[survey.pk])).content
    html = html.decode()
    assert "questions are locked" in html
    assert 'name="questions-0-text"' not in html  # shown, not editable
    assert 'name="questions-0-DELETE"' not in html
    assert survey.questions.first().text in html
    # A forged post cannot change or delete them either.
    question = survey.questions.order_by("order").first()
    response = admin_client.post(
        reverse("admin:outcomes_survey_change", args=[survey.pk]),
        {
            "cohort": survey.cohort.pk,
            "title": survey.title,
            "introduction": "New introduction",
            "point": survey.point,
            "opens_on": survey.opens_on.isoformat() if survey.opens_on else "",
            "open_days": survey.open_days,
            "audience": survey.audience,
            "privacy": survey.privacy,
            "questions-TOTAL_FORMS": "1",
            "questions-INITIAL_FORMS": "1",
            "questions-0-id": question.pk,
            "questions-0-survey": survey.pk,
            "questions-0-text": "A different question",
            "questions-0-DELETE": "on",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.text != "A different question"
    assert Answer.objects.filter(question=question).exists()
    survey.refresh_from_db()
    assert survey.introduction == "New introduction"
