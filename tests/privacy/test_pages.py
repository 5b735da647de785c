"""The privacy pages: valid HTML, no axe violations, no sideways scrolling on a phone."""

import pytest
from django.utils import timezone

from core.models import AccessRecord
from privacy.models import RetentionPurge
from tests.browser import assert_accessible, assert_valid_html, field
from tests.factories import PASSWORD, MemberFactory, PairFactory

PHONE = {"width": 375, "height": 740}
MEMBER_PAGES = ["/privacy/", "/privacy/my-data/", "/privacy/delete-account/"]
ADMIN_PAGES = [
    "/admin/core/accessrecord/",
    "/admin/core/accessrecord/{record}/change/",
    "/admin/privacy/retentionpurge/",
    "/admin/privacy/retentionpurge/{purge}/change/",
    "/admin/cohorts/cohort/{cohort}/change/",
]


def _records(cohort) -> dict:
    record = AccessRecord.objects.create(
        user_label="staff@example.test", kind="pair_workspace", description="Pair 1: A and B"
    )
    purge = RetentionPurge.objects.create(
        cohort=cohort,
        due_on=timezone.localdate(),
        ran_at=timezone.now(),
        policy="the cohort's own retention date",
        removed={"meeting_notes": 2},
        trigger="scheduled job",
    )
    return {"record": record.pk, "purge": purge.pk, "cohort": cohort.pk}


@pytest.mark.django_db
def test_the_privacy_page_is_valid_html_for_visitors(client):
    assert_valid_html(client.get("/privacy/").content, context="/privacy/ (visitor)")


@pytest.mark.django_db
@pytest.mark.parametrize("in_pair", [False, True], ids=["outside a pair", "in a running pair"])
def test_the_members_privacy_pages_are_valid_html(client, member, in_pair):
    if in_pair:
        PairFactory(mentee__member=member)
    client.force_login(member)
    for path in MEMBER_PAGES:
        response = client.get(path)
        assert response.status_code == 200
        assert_valid_html(response.content, context=path)


@pytest.mark.django_db
def test_the_delete_form_with_errors_is_valid_html(client, member):
    client.force_login(member)
    response = client.post("/privacy/delete-account/", {"password": "wrong"})
    assert "There is a problem" in response.content.decode()
    assert_valid_html(response.content, context="delete account with errors")


@pytest.mark.django_db
@pytest.mark.parametrize("path", ADMIN_PAGES)
def test_the_admin_pages_are_valid_html(client, staff, path):
    ids = _records(PairFactory().cohort)
    client.force_login(staff)
    response = client.get(path.format(**ids))
    assert response.status_code == 200
    assert_valid_html(response.content, context=path)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [None, PHONE], ids=["desktop", "phone"])
def test_every_privacy_page_is_accessible_and_fits_the_screen(
    chromium_browser, live_server, viewport
):
    from tests.factories import StaffFactory

    MemberFactory(email="member@example.test")
    StaffFactory(email="staff@example.test")
    ids = _records(PairFactory().cohort)
    options = {"viewport": viewport} if viewport else {}
    for persona, paths in [
        (None, ["/privacy/"]),
        ("member@example.test", MEMBER_PAGES),
        ("staff@example.test", ADMIN_PAGES),
    ]:
        context = chromium_browser.new_context(base_url=live_server.url, **options)
        page = context.new_page()
        try:
            if persona is not None:
                page.goto("/accounts/login/")
                field(page, "Email").fill(persona)
                field(page, "Password").fill(PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                page.wait_for_url(f"{live_server.url}/")
            for path in paths:
                page.goto(path.format(**ids))
                assert_accessible(page, context=path)
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"
            if persona == "member@example.test":
                # The form with its errors, as a member who typed the wrong password sees it.
                page.goto("/privacy/delete-account/")
                field(page, "Your password").fill("wrong")
                page.get_by_role("button", name="Delete my account").click()
                page.get_by_text("There is a problem").wait_for()
                assert_accessible(page, context="delete account with errors")
        finally:
            context.close()
