"""Members answer surveys: their own only, once, changeable until it closes; anonymous answers
lead to nobody; the partner never sees the other's answers."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from outcomes.models import Answer, Invitation, Response, Survey
from outcomes.surveys import survey_invitations_create
from tests.factories import MemberFactory, PairFactory
from tests.outcomes.survey_factories import SurveyFactory, with_questions

pytestmark = pytest.mark.django_db

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
DURING = datetime(2026, 12, 16, 10, tzinfo=NEW_YORK)  # the day after the midpoint survey opened
AFTER = DURING + timedelta(days=30)


@pytest.fixture(autouse=True)
def _during():
    with time_machine.travel(DURING, tick=False):
        yield


@pytest.fixture
def pair():
    return PairFactory()


@pytest.fixture
def survey(pair):
    return SurveyFactory(cohort=pair.cohort)


@pytest.fixture
def questions(survey):
    return with_questions(survey)


@pytest.fixture
def invitations(survey, questions, pair):
    survey_invitations_create()
    return {i.role: i for i in Invitation.objects.filter(survey=survey)}


def url(invitation: Invitation) -> str:
    return reverse("outcomes:survey_answer", args=[invitation.pk])


def answers(questions, **overrides) -> dict:
    data = {
        f"q_{questions['scale'].pk}": "2",
        f"q_{questions['recommend'].pk}": "9",
        f"q_{questions['single'].pk}": "Monthly",
        f"q_{questions['multiple'].pk}": ["Goals", "Resources"],
        f"q_{questions['text'].pk}": "We keep missing each other's calls.",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_a_mentee_answers_the_midpoint_survey_and_the_answers_are_saved(
    client, pair, invitations, questions
):
    client.force_login(pair.mentee.member)
    page = client.get(url(invitations["mentee"]))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("<fieldset") == 5
    assert html.count("<legend") == 5
    response = client.post(url(invitations["mentee"]), answers(questions))
    assert response.status_code == 302
    saved = Response.objects.get(invitation=invitations["mentee"])
    by_kind = {a.question.kind: a for a in saved.answers.select_related("question")}
    assert by_kind["scale"].number == 2
    assert by_kind["recommend"].number == 9
    assert by_kind["single"].choices == ["Monthly"]
    assert by_kind["multiple"].choices == ["Goals", "Resources"]
    assert by_kind["text"].text == "We keep missing each other's calls."
    invitations["mentee"].refresh_from_db()
    assert invitations["mentee"].responded_at is not None


def test_a_member_may_change_the_answers_until_the_survey_closes(
    client, pair, invitations, questions
):
    client.force_login(pair.mentee.member)
    client.post(url(invitations["mentee"]), answers(questions))
    page = client.get(url(invitations["mentee"])).content.decode()
    assert "Save my changes" in page
    assert "We keep missing each other&#x27;s calls." in page
    client.post(
        url(invitations["mentee"]), answers(questions, **{f"q_{questions['scale'].pk}": "5"})
    )
    assert Response.objects.count() == 1
    assert Answer.objects.get(question=questions["scale"]).number == 5

    with time_machine.travel(AFTER, tick=False):
        client.force_login(pair.mentee.member)  # a fresh session, a month later
        page = client.get(url(invitations["mentee"])).content.decode()
        assert "This survey closed" in page
        assert '<form method="post" novalidate>' not in page
        client.post(
            url(invitations["mentee"]), answers(questions, **{f"q_{questions['scale'].pk}": "1"})
        )
    assert Answer.objects.get(question=questions["scale"]).number == 5


def test_a_missing_answer_is_named_next_to_its_question_and_what_was_typed_is_kept(
    client, pair, invitations, questions
):
    client.force_login(pair.mentee.member)
    name = f"q_{questions['scale'].pk}"
    page = client.post(url(invitations["mentee"]), answers(questions, **{name: None}))
    assert page.status_code == 200
    html = page.content.decode()
    assert f'id="{name}-error"' in html
    assert f'aria-describedby="{name}-error"' in html
    assert f'href="#{name}-question"' in html
    assert "We keep missing each other&#x27;s calls.</textarea>" in html
    assert f'value="9" id="id_q_{questions["recommend"].pk}_9" checked' in html
    assert not Response.objects.exists()


def test_a_choice_not_offered_is_refused(client, pair, invitations, questions):
    client.force_login(pair.mentee.member)
    page = client.post(
        url(invitations["mentee"]), answers(questions, **{f"q_{questions['scale'].pk}": "7"})
    )
    assert "Select a valid choice" in page.content.decode()
    assert not Response.objects.exists()


def test_another_persons_invitation_is_not_found(client, pair, invitations, questions):
    # The partner, another member and a member of no pair: all 404, read or write.
    for user in (pair.mentor.member, MemberFactory()):
        client.force_login(user)
        assert client.get(url(invitations["mentee"])).status_code == 404
        assert client.post(url(invitations["mentee"]), answers(questions)).status_code == 404
    assert not Response.objects.exists()


def test_signing_in_is_required(client, invitations):
    response = client.get(url(invitations["mentee"]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_partner_never_sees_the_other_members_answers(client, pair, invitations, questions):
    client.force_login(pair.mentee.member)
    client.post(url(invitations["mentee"]), answers(questions))
    client.force_login(pair.mentor.member)
    pages = [
        client.get(reverse("outcomes:survey_list")),
        client.get(url(invitations["mentor"])),
        client.get(reverse("meetings:workspace", args=[pair.pk])),
    ]
    for page in pages:
        assert page.status_code == 200
        assert "We keep missing" not in page.content.decode()
    # The mentor's own form starts empty: nothing of the mentee's is filled in.
    assert "checked" not in pages[1].content.decode()


def test_the_survey_list_shows_a_members_open_surveys(client, pair, invitations):
    client.force_login(pair.mentee.member)
    html = client.get(reverse("outcomes:survey_list")).content.decode()
    assert url(invitations["mentee"]) in html
    assert url(invitations["mentor"]) not in html
    assert "Not answered" in html


def test_the_survey_pages_take_the_same_number_of_queries_whatever_the_number_of_surveys(
    client, pair, invitations, questions, django_assert_max_num_queries
):
    client.force_login(pair.mentee.member)
    with django_assert_max_num_queries(12):
        client.get(reverse("outcomes:survey_list"))
    with django_assert_max_num_queries(14):
        client.get(url(invitations["mentee"]))
    for _ in range(6):
        with_questions(SurveyFactory(cohort=pair.cohort, title="Another"))
    survey_invitations_create()
    with django_assert_max_num_queries(12):
        client.get(reverse("outcomes:survey_list"))
    with django_assert_max_num_queries(14):
        client.get(url(invitations["mentee"]))


# ---------------------------------------------------------------------------------------------
# Anonymous surveys
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def anonymous(survey):
    survey.privacy = Survey.Privacy.ANONYMOUS
    survey.save()
    return survey


def test_an_anonymous_answer_is_kept_apart_from_the_invitation(
    client, pair, anonymous, invitations, questions
):
    client.force_login(pair.mentee.member)
    client.post(url(invitations["mentee"]), answers(questions))
    response = Response.objects.get()
    assert response.invitation is None
    assert response.edit_token_hash
    invitations["mentee"].refresh_from_db()
    assert invitations["mentee"].responded_at is not None
    # No field of the response leads back to the person or to when they answered.
    values = [str(getattr(response, f.attname)) for f in Response._meta.concrete_fields]
    user = pair.mentee.member
    for clue in (str(user.pk), user.email, str(invitations["mentee"].pk)):
        assert clue not in values[1:3]
    assert not any(f.get_internal_type() == "DateTimeField" for f in Response._meta.fields)


def test_an_anonymous_answer_can_be_changed_from_the_browser_that_gave_it_only(
    client, pair, anonymous, invitations, questions
):
    client.force_login(pair.mentee.member)
    client.post(url(invitations["mentee"]), answers(questions))
    cookie = f"survey_edit_{invitations['mentee'].pk}"
    assert cookie in client.cookies
    assert client.cookies[cookie]["httponly"]
    page = client.get(url(invitations["mentee"])).content.decode()
    assert "Save my changes" in page
    client.post(
        url(invitations["mentee"]), answers(questions, **{f"q_{questions['scale'].pk}": "4"})
    )
    assert Response.objects.count() == 1
    assert Answer.objects.get(question=questions["scale"]).number == 4

    # Another browser (or cookies cleared): the answers can't be found, nor a second given.
    del client.cookies[cookie]
    page = client.get(url(invitations["mentee"])).content.decode()
    assert "can only be changed from the browser you answered in" in page
    assert "We keep missing" not in page
    client.post(
        url(invitations["mentee"]), answers(questions, **{f"q_{questions['scale'].pk}": "1"})
    )
    assert Response.objects.count() == 1
    assert Answer.objects.get(question=questions["scale"]).number == 4


def test_a_forged_edit_cookie_opens_nothing(client, pair, anonymous, invitations, questions):
    client.force_login(pair.mentee.member)
    client.post(url(invitations["mentee"]), answers(questions))
    client.cookies[f"survey_edit_{invitations['mentee'].pk}"] = "forged"
    page = client.get(url(invitations["mentee"])).content.decode()
    assert "can only be changed from the browser you answered in" in page
