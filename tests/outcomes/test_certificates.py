"""Completion and certificates: the closing job issues them from confirmed meetings only, once;
members download their own; anyone can verify one; staff revoke or issue with a reason."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.urls import reverse
from django_celery_beat.models import PeriodicTask

from matching.models import Match
from notifications.models import Notification
from outcomes.certificates import (
    CertificateError,
    certificate_issue_exception,
    certificate_revoke,
    pair_close,
)
from outcomes.models import Certificate
from outcomes.tasks import close_cohorts
from tests.factories import MeetingFactory, PairFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
# The pilot period is Oct 1 2026 to Mar 31 2027; the cohort closes a week after it ends.
MONTHS = [(2026, 10), (2026, 11), (2026, 12), (2027, 1), (2027, 2), (2027, 3)]
CLOSING = datetime(2027, 4, 8, 6, tzinfo=DENVER)
AFTER_PERIOD = datetime(2027, 4, 2, 9, tzinfo=DENVER)


def _meet(pair, year, month, *, minutes=60, confirmed=True, day=10):
    starts_at = datetime(year, month, day, 17, tzinfo=DENVER)
    return MeetingFactory(
        match=pair,
        starts_at=starts_at,
        duration_minutes=minutes,
        confirmed_at=starts_at + timedelta(days=1) if confirmed else None,
        confirmed_by=pair.mentor.member if confirmed else None,
    )


def _pair_that_met_the_commitment(**kwargs):
    pair = PairFactory(**kwargs)
    for year, month in MONTHS:
        _meet(pair, year, month)
    return pair


def _close(capture, when=CLOSING) -> int:
    with time_machine.travel(when, tick=False), capture(execute=True):
        return close_cohorts()


def test_both_members_of_a_pair_that_met_the_commitment_get_a_certificate_and_the_pdf_by_email(
    django_capture_on_commit_callbacks, mailoutbox
):
    pair = _pair_that_met_the_commitment()
    assert _close(django_capture_on_commit_callbacks) == 1

    mentee_cert = Certificate.objects.get(match=pair, role="mentee")
    mentor_cert = Certificate.objects.get(match=pair, role="mentor")
    assert mentee_cert.user == pair.mentee.member
    assert mentee_cert.name == pair.mentee.member.get_full_name()
    assert mentor_cert.name == pair.mentor.member.get_full_name()
    assert (mentee_cert.confirmed_minutes, mentee_cert.meetings) == (360, 6)
    assert mentee_cert.cohort_name == pair.cohort.name
    assert mentee_cert.issued_by is None and mentee_cert.exception_reason == ""

    assert sorted(m.to[0] for m in mailoutbox) == sorted(
        [pair.mentee.member.email, pair.mentor.member.email]
    )
    for message in mailoutbox:
        (attachment,) = message.attachments
        filename, content, mimetype = attachment
        assert filename.endswith(".pdf")
        assert mimetype == "application/pdf"
        assert content.startswith(b"%PDF")
        assert "certificate" in message.subject.lower()
        assert "/certificates/" in message.body


def test_meetings_the_partner_did_not_confirm_do_not_count(
    django_capture_on_commit_callbacks, mailoutbox
):
    pair = PairFactory()
    for year, month in MONTHS[:-1]:
        _meet(pair, year, month)
    # March's hour was logged but never confirmed: the month and the total fall short.
    _meet(pair, 2027, 3, confirmed=False)
    _close(django_capture_on_commit_callbacks)

    assert not Certificate.objects.filter(match=pair).exists()
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        assert message.attachments == []
        assert "5 hours" in message.body
        assert "5 meetings" in message.body
        assert "5 of 6 months" in message.body


def test_a_month_under_the_minimum_means_no_certificate_even_with_the_total_met(
    django_capture_on_commit_callbacks,
):
    pair = PairFactory()
    for year, month in MONTHS:
        if (year, month) != (2027, 1):
            _meet(pair, year, month)
    # Two hours in February make up the total, not January's minimum.
    _meet(pair, 2027, 2, day=20)
    _close(django_capture_on_commit_callbacks)
    assert not Certificate.objects.filter(match=pair).exists()


def test_a_pair_ended_early_gets_no_certificate(django_capture_on_commit_callbacks):
    pair = _pair_that_met_the_commitment()
    Match.objects.filter(pk=pair.pk).update(
        status="ended", ended_at=datetime(2027, 3, 20, tzinfo=DENVER)
    )
    _close(django_capture_on_commit_callbacks)
    assert not Certificate.objects.filter(match=pair).exists()


def test_running_the_closing_job_twice_issues_nothing_new_and_emails_once(
    django_capture_on_commit_callbacks, mailoutbox
):
    pair = _pair_that_met_the_commitment()
    short = PairFactory(cohort=pair.cohort)
    _meet(short, 2026, 10)
    _close(django_capture_on_commit_callbacks)
    codes = set(Certificate.objects.values_list("code", flat=True))
    _close(django_capture_on_commit_callbacks, when=CLOSING + timedelta(days=1))
    with time_machine.travel(CLOSING, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert pair_close(match_id=pair.pk) == []

    assert set(Certificate.objects.values_list("code", flat=True)) == codes
    assert len(codes) == 2
    assert len(mailoutbox) == 4
    assert Notification.objects.filter(kind="cohort_closing").count() == 4


def test_the_cohort_is_not_closed_before_the_week_after_its_period(
    django_capture_on_commit_callbacks, mailoutbox
):
    _pair_that_met_the_commitment()
    assert _close(django_capture_on_commit_callbacks, when=AFTER_PERIOD) == 0
    assert not Certificate.objects.exists()
    assert mailoutbox == []


def test_the_closing_job_runs_daily_from_beat():
    from mentorship.celery import app

    periodic = PeriodicTask.objects.get(name="Close cohorts and issue certificates")
    assert periodic.enabled
    assert periodic.task == "outcomes.tasks.close_cohorts"
    assert periodic.task in app.tasks


# ---------------------------------------------------------------------------------------------
# Verification and download
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def certificate(django_capture_on_commit_callbacks):
    pair = _pair_that_met_the_commitment()
    _close(django_capture_on_commit_callbacks)
    return Certificate.objects.get(match=pair, role="mentee")


def test_anyone_can_verify_a_certificate_without_signing_in(
    client, certificate, django_assert_max_num_queries
):
    with django_assert_max_num_queries(3):
        response = client.get(f"/certificates/{certificate.code}/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "This certificate is genuine" in text
    assert certificate.name in text
    assert "Mentee" in text
    assert certificate.cohort_name in text
    assert "6 hours" in text
    assert certificate.user.email not in text
    assert certificate.match.mentor.member.get_full_name() not in text


def test_a_revoked_certificate_says_so_and_shows_nothing_else(client, certificate, staff):
    certificate_revoke(certificate=certificate, revoked_by=staff, reason="Meetings disputed")
    response = client.get(certificate.get_absolute_url())
    assert response.status_code == 200
    text = response.content.decode()
    assert "This certificate was revoked" in text
    assert certificate.name not in text
    assert "disputed" not in text


def test_an_unknown_code_is_a_404_that_says_so(client, db):
    response = client.get("/certificates/not-a-real-code/")
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()


def test_a_member_downloads_their_own_certificate(client, certificate):
    client.force_login(certificate.user)
    response = client.get(reverse("outcomes:certificate_download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("who", ["partner", "outsider", "staff without permission"])
def test_others_get_a_404_for_a_members_certificate(client, certificate, who):
    user = {
        "partner": certificate.match.mentor.member,
        "outsider": UserFactory(),
        "staff without permission": UserFactory(is_staff=True),
    }[who]
    client.force_login(user)
    response = client.get(reverse("outcomes:certificate_download", args=[certificate.pk]))
    assert response.status_code == 404


def test_a_revoked_certificate_can_no_longer_be_downloaded(client, certificate, staff):
    certificate_revoke(certificate=certificate, revoked_by=staff, reason="Meetings disputed")
    client.force_login(certificate.user)
    response = client.get(reverse("outcomes:certificate_download", args=[certificate.pk]))
    assert response.status_code == 404


def test_the_workspace_offers_the_certificate_after_the_period(client, certificate):
    with time_machine.travel(CLOSING + timedelta(days=1), tick=False):
        client.force_login(certificate.user)
        response = client.get(reverse("meetings:workspace", args=[certificate.match_id]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Download your certificate (PDF)" in text
    assert reverse("outcomes:certificate_download", args=[certificate.pk]) in text


def test_a_member_who_fell_short_sees_what_they_achieved_and_no_certificate(
    client, django_capture_on_commit_callbacks
):
    pair = PairFactory()
    _meet(pair, 2026, 10, minutes=90)
    _meet(pair, 2026, 11, confirmed=False)
    _close(django_capture_on_commit_callbacks)
    with time_machine.travel(CLOSING + timedelta(days=1), tick=False):
        client.force_login(pair.mentee.member)
        response = client.get(reverse("meetings:workspace", args=[pair.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert "1 h 30 min of confirmed meetings" in text
    assert "1 confirmed meeting;" in text
    assert "1 of 6 months" in text
    assert "Download your certificate" not in text


# ---------------------------------------------------------------------------------------------
# Staff: revoke and issue as an exception
# ---------------------------------------------------------------------------------------------


def test_staff_revoke_a_certificate_from_admin_and_who_and_when_are_recorded(
    client, certificate, staff
):
    url = reverse("admin:outcomes_certificate_revoke", args=[certificate.pk])
    with time_machine.travel(CLOSING + timedelta(days=3), tick=False):
        client.force_login(staff)
        response = client.post(url, {"reason": ""})
        assert response.status_code == 200
        assert "This field is required" in response.content.decode()
        response = client.post(url, {"reason": "A meeting was logged twice"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revoked_by == staff
    assert certificate.revoked_at == CLOSING + timedelta(days=3)
    assert certificate.revoke_reason == "A meeting was logged twice"
    with pytest.raises(CertificateError):
        certificate_revoke(certificate=certificate, revoked_by=staff, reason="again")


def test_revoking_needs_the_change_permission(client, certificate):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client.force_login(viewer)
    url = reverse("admin:outcomes_certificate_revoke", args=[certificate.pk])
    assert client.post(url, {"reason": "no"}).status_code == 403
    certificate.refresh_from_db()
    assert not certificate.is_revoked


def test_staff_issue_a_certificate_as_an_exception_with_a_reason(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    staff = StaffFactory()
    pair = PairFactory()
    for year, month in MONTHS[:-1]:
        _meet(pair, year, month)
    _meet(pair, 2027, 3, confirmed=False)
    _close(django_capture_on_commit_callbacks)
    mailoutbox.clear()

    url = reverse("admin:outcomes_certificate_add")
    with time_machine.travel(CLOSING + timedelta(days=2), tick=False):
        client.force_login(staff)
        response = client.post(url, {"match": pair.pk, "role": "mentee", "reason": ""})
        assert "This field is required" in response.content.decode()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {"match": pair.pk, "role": "mentee", "reason": "Mentor confirmed March late"},
            )
    assert response.status_code == 302
    certificate = Certificate.objects.get(match=pair)
    assert certificate.role == "mentee"
    assert certificate.issued_by == staff
    assert certificate.exception_reason == "Mentor confirmed March late"
    assert certificate.issued_at == CLOSING + timedelta(days=2)
    assert certificate.confirmed_minutes == 300
    (message,) = mailoutbox
    assert message.to == [pair.mentee.member.email]
    assert message.attachments[0][2] == "application/pdf"

    with pytest.raises(CertificateError):
        certificate_issue_exception(match=pair, role="mentee", issued_by=staff, reason="again")


def test_issuing_an_exception_needs_the_add_permission(client, db):
    pair = PairFactory()
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_certificate"))
    client.force_login(viewer)
    response = client.post(
        reverse("admin:outcomes_certificate_add"),
        {"match": pair.pk, "role": "mentee", "reason": "why not"},
    )
    assert response.status_code == 403
    assert not Certificate.objects.exists()


def test_the_certificate_admin_pages_open(client, certificate, staff):
    client.force_login(staff)
    for url in (
        reverse("admin:outcomes_certificate_changelist"),
        reverse("admin:outcomes_certificate_change", args=[certificate.pk]),
        reverse("admin:outcomes_certificate_add"),
        reverse("admin:outcomes_certificate_revoke", args=[certificate.pk]),
    ):
        assert client.get(url).status_code == 200, url
