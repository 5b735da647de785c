"""A pair in trouble: a member tells the office; staff see it, end the pair and rematch the
member who stays with one of the best available partners."""

from datetime import date, datetime

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from matching.models import Match
from matching.rematch import rematch_candidates
from meetings.digest import staff_digest_compute
from meetings.ledger import LedgerStatus
from meetings.models import PairConcern
from meetings.selectors import ledger_for
from meetings.services.concerns import pair_rematch
from notifications.models import Notification
from tests.browser import assert_valid_html
from tests.factories import (
    AcceptedMentorFactory,
    MeetingFactory,
    PairFactory,
    StaffFactory,
    UserFactory,
)
from tests.meetings.clock import DENVER, NOW

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("december")]


@pytest.fixture
def pair():
    pair = PairFactory()
    for day in (8, 9):
        MeetingFactory(match=pair, starts_at=datetime(2026, 10, day, 17, tzinfo=DENVER))
    return pair


@pytest.fixture
def free_mentor(pair):
    return AcceptedMentorFactory(cohort=pair.cohort, location="CO")


def _concern_url(pair) -> str:
    return reverse("meetings:concern", args=[pair.pk])


def _rematch_url(pair, stays=None) -> str:
    url = reverse("admin:meetings_pair_rematch", args=[pair.pk])
    return f"{url}?stays={stays.pk}" if stays else url


def test_a_member_tells_the_office_and_is_told_what_happens_next(client, pair):
    mentee = pair.mentee.member
    client.force_login(mentee)
    page = client.get(_concern_url(pair))
    assert page.status_code == 200
    assert_valid_html(page.content, context="tell the office")
    response = client.post(
        _concern_url(pair),
        {"kind": "not_responding", "words": "No answer since October."},
        follow=True,
    )
    text = response.content.decode()
    assert "the program office has your message" in text
    assert "What happens next" in text
    concern = PairConcern.objects.get()
    assert (concern.match, concern.raised_by, concern.kind) == (pair, mentee, "not_responding")
    assert concern.words == "No answer since October."
    assert_valid_html(response.content, context="told the office")


def test_a_concern_needs_a_kind_and_keeps_the_words_typed(client, pair):
    client.force_login(pair.mentee.member)
    response = client.post(_concern_url(pair), {"words": "Keep these words"})
    assert response.status_code == 200
    assert "kind" in response.context["form"].errors
    assert "Keep these words" in response.content.decode()
    assert not PairConcern.objects.exists()


def test_the_partner_never_sees_what_the_member_told_the_office(client, pair):
    PairConcern.objects.create(
        match=pair,
        raised_by=pair.mentee.member,
        kind="not_working",
        words="Private",
        created_at=NOW,
    )
    client.force_login(pair.mentor.member)
    for url in (_concern_url(pair), reverse("meetings:workspace", args=[pair.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert "Private" not in response.content.decode()
        assert "What happens next" not in response.content.decode()


@pytest.mark.parametrize("who", ["outsider", "staff_viewer"])
def test_others_get_404_on_the_concern_page(client, pair, who):
    user = UserFactory()
    if who == "staff_viewer":
        user.is_staff = True
        user.save()
        user.user_permissions.add(Permission.objects.get(codename="view_pair_workspace"))
    client.force_login(user)
    assert client.get(_concern_url(pair)).status_code == 404
    assert client.post(_concern_url(pair), {"kind": "not_working"}).status_code == 404
    assert not PairConcern.objects.exists()


def test_staff_see_the_concern_on_the_pair_and_in_the_digest(client, pair):
    PairConcern.objects.create(
        match=pair,
        raised_by=pair.mentee.member,
        kind="not_responding",
        words="No answer",
        created_at=NOW,
    )
    client.force_login(StaffFactory())
    summary = client.get(reverse("admin:meetings_pair_change", args=[pair.pk])).content.decode()
    assert "My partner is not responding" in summary and "No answer" in summary
    assert _rematch_url(pair) in summary
    listing = client.get(reverse("admin:meetings_pair_changelist"), {"concern": "open"})
    assert listing.context["cl"].result_count == 1

    digest = staff_digest_compute()
    (row,) = digest["concerns"]
    assert row["kind"] == "My partner is not responding"
    assert row["raised_by"] == pair.mentee.member.display_name
    assert row["url"].endswith(reverse("admin:meetings_pair_change", args=[pair.pk]))
    # The member's own words stay in admin, out of email.
    assert "No answer" not in str(digest)


def test_candidates_are_free_partners_scored_by_the_matching_scorer(pair, free_mentor):
    full = PairFactory(cohort=pair.cohort).mentor  # no free place
    far = AcceptedMentorFactory(cohort=pair.cohort, location="FL")
    candidates = rematch_candidates(match=pair, staying=pair.mentee)
    ids = [c.application_id for c in candidates]
    assert ids == [free_mentor.pk, far.pk]  # the nearer one first; never the partner or a full one
    assert full.pk not in ids and pair.mentor_id not in ids
    best = candidates[0]
    assert best.score > candidates[1].score
    assert any("Colorado" in reason for reason in best.reasons)
    assert best.free_places == 1


def test_rematching_ends_the_pair_and_starts_the_new_ledger_on_the_rematch_day(
    pair, free_mentor, django_capture_on_commit_callbacks
):
    staff = StaffFactory()
    PairConcern.objects.create(
        match=pair, raised_by=pair.mentee.member, kind="not_responding", created_at=NOW
    )
    with django_capture_on_commit_callbacks(execute=True):
        new = pair_rematch(
            match=pair,
            staying=pair.mentee,
            partner=free_mentor,
            rematched_by=staff,
            reason="The mentor stopped answering.",
        )
    pair.refresh_from_db()
    assert (pair.status, pair.end_reason) == ("ended", "The mentor stopped answering.")
    assert (new.mentor, new.mentee, new.status) == (free_mentor, pair.mentee, "approved")
    assert new.notified_at is not None and new.starts_on == date(2026, 12, 10)

    # The old pair keeps its two hours; the new one counts from December, for the four months
    # left of six, so two thirds of the six hours.
    old_ledger = ledger_for(pair)
    assert (old_ledger.total_minutes, old_ledger.status) == (120, LedgerStatus.ENDED)
    new_ledger = ledger_for(new)
    assert new_ledger.months[0].month == date(2026, 12, 1)
    assert len(new_ledger.months) == 4
    assert (new_ledger.total_minutes, new_ledger.required_minutes) == (0, 240)

    sent = set(Notification.objects.values_list("kind", "recipient"))
    assert ("match_announcement", free_mentor.member.pk) in sent
    assert ("match_announcement", pair.mentee.member.pk) in sent
    assert ("match_ended", pair.mentor.member.pk) in sent
    assert ("match_announcement", pair.mentor.member.pk) not in sent
    concern = PairConcern.objects.get()
    assert (concern.resolved_by, concern.new_match) == (staff, new)


def test_a_mentor_who_stays_is_rematched_with_a_mentee_without_a_pair(pair):
    from tests.factories import AcceptedFactory

    waiting = AcceptedFactory(cohort=pair.cohort)
    (candidate,) = rematch_candidates(match=pair, staying=pair.mentor)
    assert candidate.application_id == waiting.pk
    new = pair_rematch(
        match=pair,
        staying=pair.mentor,
        partner=waiting,
        rematched_by=StaffFactory(),
        reason="The mentee left.",
    )
    assert (new.mentor_id, new.mentee_id) == (pair.mentor_id, waiting.pk)
    assert Match.objects.approved().filter(mentor=pair.mentor).count() == 1


def test_the_rematch_page_shows_the_candidates_and_makes_the_pair(client, pair, free_mentor):
    client.force_login(StaffFactory())
    page = client.get(_rematch_url(pair, stays=pair.mentee))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(free_mentor.member) in text and "1 free place" in text
    assert_valid_html(page.content, context="rematch page")
    response = client.post(
        _rematch_url(pair, stays=pair.mentee),
        {"partner": free_mentor.pk, "reason": "Not responding."},
    )
    new = Match.objects.get(mentor=free_mentor)
    assert response.status_code == 302
    assert response.url == reverse("admin:meetings_pair_change", args=[new.pk])


def test_the_rematch_page_keeps_the_choice_and_explains_a_missing_reason(client, pair, free_mentor):
    client.force_login(StaffFactory())
    response = client.post(_rematch_url(pair, stays=pair.mentee), {"partner": free_mentor.pk})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert f'value="{free_mentor.pk}" id="partner_{free_mentor.pk}" checked' in (
        response.content.decode()
    )
    assert Match.objects.filter(mentor=free_mentor).count() == 0


def test_staff_without_the_match_permissions_cannot_rematch(client, pair, free_mentor):
    viewer = StaffFactory(is_superuser=False)
    viewer.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_pair", "view_match"])
    )
    client.force_login(viewer)
    assert client.get(_rematch_url(pair, stays=pair.mentee)).status_code == 403
    response = client.post(
        _rematch_url(pair, stays=pair.mentee), {"partner": free_mentor.pk, "reason": "x"}
    )
    assert response.status_code == 403
    assert pair.__class__.objects.get(pk=pair.pk).status == "approved"


def test_an_unknown_pair_is_not_found(client):
    client.force_login(StaffFactory())
    assert client.get(reverse("admin:meetings_pair_rematch", args=[999999])).status_code == 404


def test_a_partner_not_offered_is_refused(client, pair):
    other = PairFactory(cohort=pair.cohort).mentor  # full: not a candidate
    client.force_login(StaffFactory())
    response = client.post(
        _rematch_url(pair, stays=pair.mentee), {"partner": other.pk, "reason": "x"}
    )
    assert response.status_code == 200
    assert "partner" in response.context["form"].errors
    pair.refresh_from_db()
    assert pair.status == "approved"


def test_the_new_pages_read_a_constant_number_of_queries(
    client, pair, free_mentor, django_assert_max_num_queries
):
    staff = StaffFactory()
    PairConcern.objects.create(
        match=pair, raised_by=pair.mentee.member, kind="not_working", created_at=NOW
    )
    urls = [_rematch_url(pair, stays=pair.mentee), reverse("admin:meetings_pair_changelist")]

    def counts() -> list[int]:
        numbers = []
        for user, url in [
            (staff, urls[0]),
            (staff, urls[1]),
            (pair.mentee.member, _concern_url(pair)),
        ]:
            client.force_login(user)
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            numbers.append(len(queries))
        return numbers

    small = counts()
    for _ in range(6):
        AcceptedMentorFactory(cohort=pair.cohort)
        PairConcern.objects.create(
            match=PairFactory(cohort=pair.cohort),
            raised_by=pair.mentee.member,
            kind="not_working",
            created_at=NOW,
        )
        PairConcern.objects.create(
            match=pair, raised_by=pair.mentee.member, kind="not_responding", created_at=NOW
        )
    assert counts() == small
    with django_assert_max_num_queries(30):
        client.get(urls[0])
