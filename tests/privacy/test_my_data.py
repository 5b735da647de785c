"""A member's own data: the download holds theirs and nothing private of anyone else; deleting
an account is refused in a running pair and, outside one, anonymises the person and keeps the
partner's hours."""

import json

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone

from applications.models import Application, MemberProfile, Membership
from meetings.models import Goal, GoalComment, Meeting
from meetings.selectors import ledger_for
from notifications.models import Notification
from outcomes.models import Answer, Certificate
from privacy.emails import ACCOUNT_DELETED
from privacy.services import FORMER_MEMBER
from tests.factories import PASSWORD, ApplicationFactory, MeetingFactory, PairFactory

pytestmark = pytest.mark.django_db


def _download(client, user) -> dict:
    client.force_login(user)
    response = client.get("/privacy/my-data/download/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    return json.loads(response.content)


def _end(pair) -> None:
    pair.status = "ended"
    pair.ended_at = timezone.now()
    pair.save()


def test_the_download_holds_the_members_own_data(client, pair_with_history):
    mentee = pair_with_history.mentee.member
    Notification.objects.create(
        kind="match_announcement", idempotency_key="k1", recipient=mentee, to_email=mentee.email
    )

    data = _download(client, mentee)

    assert data["account"]["email"] == mentee.email
    assert data["membership"]["member_number"] == mentee.membership.member_number
    assert data["profile"]["state"] == "Colorado"
    assert len(data["profile"]["self_identification"]) == 1
    assert [a["goals"] for a in data["applications"]] == ["Prepare for residency."]
    [pair] = data["pairs"]
    assert pair["partner_name"] == pair_with_history.mentor.member.get_full_name()
    assert pair["your_role"] == "mentee"
    assert pair["confirmed_minutes"] == 150
    assert pair["goals"][0]["title"] == "Get a residency"
    assert pair["goals"][0]["steps"][0]["title"] == "Write a personal statement"
    # The pair's shared log, as both members see it in the workspace.
    assert {m["notes"] for m in pair["meetings"]} == {"Mentee worried about the match", "Went well"}
    assert pair["expectations"]["other"] == "Confidential between us"
    confidential = [s for s in data["surveys"] if s["privacy"] == "confidential"]
    assert confidential[0]["answers"][1]["text"] == "My mentor is late"
    assert data["certificates"][0]["confirmed_minutes"] == 150
    assert [e["kind"] for e in data["emails"]] == ["match_announcement"]


def test_the_download_holds_nothing_private_of_the_partner(client, pair_with_history):
    pair = pair_with_history
    mentor = pair.mentor.member
    mentor_profile = mentor.profile
    mentor_profile.bio = "Mentor's private bio"
    mentor_profile.save()
    Notification.objects.create(
        kind="match_announcement",
        idempotency_key="k2",
        recipient=mentor,
        to_email=mentor.email,
        context={"secret": "for the mentor only"},
    )
    from tests.privacy.conftest import _answer, _survey

    _answer(_survey(pair.cohort, "confidential"), mentor, pair, number=1, text="Mentor's answer")

    text = json.dumps(_download(client, pair.mentee.member))

    assert mentor.email not in text
    assert "Mentor's private bio" not in text
    assert "Residency precepting." not in text  # the mentor's application
    assert "Mentor's answer" not in text
    assert "for the mentor only" not in text
    assert mentor.membership.member_number not in text
    # The comment the mentor wrote in the shared workspace appears, signed by name only.
    assert "Start with your why" in text


def test_the_download_of_someone_in_no_pair_has_empty_sections(client, outsider):
    data = _download(client, outsider)
    assert data["pairs"] == []
    assert data["certificates"] == []


def test_the_download_and_the_pages_need_a_sign_in(client):
    for path in ["/privacy/my-data/", "/privacy/my-data/download/", "/privacy/delete-account/"]:
        response = client.get(path)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert client.get("/privacy/").status_code == 200


def test_the_download_takes_the_same_queries_whatever_the_history(
    client, django_assert_max_num_queries, pair_with_history
):
    mentee = pair_with_history.mentee.member
    client.force_login(mentee)
    with django_assert_max_num_queries(30) as small:
        client.get("/privacy/my-data/download/")
    for _ in range(10):
        MeetingFactory(match=pair_with_history, notes="more")
    goal = Goal.objects.get()
    for n in range(5):
        GoalComment.objects.create(goal=goal, author=mentee, body=f"c{n}")
    _end(pair_with_history)
    PairFactory(mentee=ApplicationFactory(member=mentee, status="accepted"))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/privacy/my-data/download/")


def test_deleting_is_refused_while_the_member_is_in_a_running_pair(client, pair_with_history):
    mentee = pair_with_history.mentee.member
    client.force_login(mentee)
    assert "still running" in client.get("/privacy/my-data/").content.decode()

    response = client.post("/privacy/delete-account/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 200
    assert "still running" in response.content.decode()
    mentee.refresh_from_db()
    assert mentee.is_active and mentee.first_name != FORMER_MEMBER
    assert Meeting.objects.exclude(notes="").count() == 2


def test_deleting_needs_the_right_password_and_keeps_what_was_typed(client, outsider):
    client.force_login(outsider)
    response = client.post("/privacy/delete-account/", {"password": "wrong", "confirm": "on"})
    assert "That is not your password" in response.content.decode()
    # The box ticked stays ticked (a password is never sent back to the browser).
    assert 'id="id_confirm" checked' in response.content.decode()
    outsider.refresh_from_db()
    assert outsider.is_active


def test_deleting_outside_a_running_pair_anonymises_and_keeps_the_partners_hours(
    client, pair_with_history, staff, django_capture_on_commit_callbacks
):
    pair = pair_with_history
    _end(pair)
    mentee, mentor = pair.mentee.member, pair.mentor.member
    minutes = ledger_for(pair).total_minutes
    old_email = mentee.email
    client.force_login(mentee)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/privacy/delete-account/", {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    mentee.refresh_from_db()
    assert str(mentee) == FORMER_MEMBER
    assert mentee.email.endswith("@deleted.invalid") and old_email not in mentee.email
    assert not mentee.is_active and not mentee.has_usable_password()
    assert not EmailAddress.objects.filter(user=mentee).exists()
    assert not MemberProfile.objects.filter(user=mentee).exists()
    assert Membership.objects.get(email=old_email).user is None
    assert Application.objects.get(pk=pair.mentee.pk).goals == ""
    assert Goal.objects.get().description == ""
    assert Answer.objects.filter(response__invitation__user=mentee).exclude(text="").count() == 0
    # The mentor's comment is the mentor's: it stays.
    assert GoalComment.objects.get().body == "Start with your why"
    # The partner's record keeps every meeting and hour, with "a former member".
    pair.refresh_from_db()
    assert ledger_for(pair).total_minutes == minutes == 150
    assert Meeting.objects.filter(match=pair).count() == 2
    assert str(pair.mentee.member) == FORMER_MEMBER
    assert Certificate.objects.get().confirmed_minutes == 150
    # Signed out, and cannot sign in again.
    assert client.get("/privacy/my-data/").status_code == 302
    assert not client.login(email=old_email, password=PASSWORD)
    # Staff are told, once.
    told = Notification.objects.filter(kind=ACCOUNT_DELETED)
    assert list(told.values_list("recipient", flat=True)) == [staff.pk]
    assert any("deleted their account" in m.subject for m in mail.outbox)
    assert mentor.is_active


def test_deleting_withdraws_applications_still_open(client, member):
    draft = ApplicationFactory(member=member, status="draft", submitted_at=None)
    submitted = ApplicationFactory(member=member)
    client.force_login(member)

    client.post("/privacy/delete-account/", {"password": PASSWORD, "confirm": "on"})

    assert not Application.objects.filter(pk=draft.pk).exists()
    assert Application.objects.get(pk=submitted.pk).status == "withdrawn"


def test_a_member_who_signs_in_through_the_association_confirms_with_their_email(client):
    from tests.factories import MemberFactory

    member = MemberFactory(password=None)
    member.set_unusable_password()
    member.save()
    client.force_login(member)
    response = client.post(
        "/privacy/delete-account/", {"password": "someone@else.test", "confirm": "on"}
    )
    assert "That is not your email address" in response.content.decode()
    client.post("/privacy/delete-account/", {"password": member.email, "confirm": "on"})
    member.refresh_from_db()
    assert not member.is_active


def test_the_privacy_page_reads_the_retention_period_from_settings(client, settings):
    settings.RETENTION_DAYS = 200
    page = client.get("/privacy/").content.decode()
    assert "200 days after the mentorship period ends" in page
    assert 'href="/privacy/"' in client.get("/").content.decode()


PAGES = ["/privacy/", "/privacy/my-data/", "/privacy/delete-account/"]


def test_privacy_pages_take_constant_queries(client, member, django_assert_max_num_queries):
    client.force_login(member)
    counts = {}
    for path in PAGES:
        with django_assert_max_num_queries(12) as queries:
            assert client.get(path).status_code == 200
        counts[path] = len(queries.captured_queries)
    for _ in range(5):
        pair = PairFactory(mentee=ApplicationFactory(member=member, status="accepted"))
        _end(pair)
        MeetingFactory(match=pair)
    for path in PAGES:
        with django_assert_max_num_queries(counts[path]):
            assert client.get(path).status_code == 200
