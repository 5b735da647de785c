"""In Chromium: a member whose pair met the commitment downloads the certificate from the
workspace, and anyone opens its verification page; the pages are accessible and valid HTML."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from outcomes.certificates import certificate_revoke, pair_close
from outcomes.models import Certificate
from tests.browser import assert_accessible, assert_valid_html
from tests.factories import PASSWORD, MeetingFactory, PairFactory, StaffFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DENVER = zoneinfo.ZoneInfo("America/Denver")
CLOSED = datetime(2027, 4, 8, 6, tzinfo=DENVER)


def _check(page, context: str) -> None:
    assert_valid_html(page.content(), context=context)
    assert_accessible(page, context=context)


def _certified_pair():
    pair = PairFactory()
    for month in (10, 11, 12, 1, 2, 3):
        starts_at = datetime(2026 if month >= 10 else 2027, month, 10, 17, tzinfo=DENVER)
        MeetingFactory(
            match=pair,
            starts_at=starts_at,
            confirmed_at=starts_at + timedelta(days=1),
            confirmed_by=pair.mentor.member,
        )
    pair_close(match_id=pair.pk, now=CLOSED, tell=False)
    return pair


def test_a_member_downloads_the_certificate_and_anyone_can_verify_it(page, tmp_path):
    pair = _certified_pair()
    mentee = pair.mentee.member
    certificate = Certificate.objects.get(match=pair, role="mentee")
    # Rendering a PDF on a loaded machine may take a while; no step here is about speed.
    page.set_default_timeout(60_000)

    with time_machine.travel(CLOSED + timedelta(days=2)):
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill(mentee.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("link", name="My mentorship").click()
        expect(page.get_by_role("heading", name="Completion")).to_be_visible()
        _check(page, "workspace with a certificate")

        with page.expect_download() as download:
            page.get_by_role("link", name="Download your certificate (PDF)").click()
        assert download.value.suggested_filename == f"certificate-{certificate.code}.pdf"
        pdf = download.value.path().read_bytes()
        assert pdf.startswith(b"%PDF")

        page.get_by_role("link", name="Its public verification page").click()
        expect(page.get_by_role("heading", name="This certificate is genuine")).to_be_visible()

        # Signed out, as an employer would open it from the QR code.
        page.context.clear_cookies()
        page.goto(f"/certificates/{certificate.code}/")
        expect(page.get_by_role("heading", name="This certificate is genuine")).to_be_visible()
        expect(page.get_by_text(mentee.get_full_name())).to_be_visible()
        expect(page.get_by_text("6 hours")).to_be_visible()
        _check(page, "verification page")

        certificate_revoke(certificate=certificate, revoked_by=StaffFactory(), reason="Test")
        page.reload()
        expect(page.get_by_role("heading", name="This certificate was revoked")).to_be_visible()
        _check(page, "revoked verification page")

        page.goto("/certificates/no-such-code/")
        expect(page.get_by_role("heading", name="No certificate has this code")).to_be_visible()
        _check(page, "unknown verification page")
