"""The public pages' cache: served only to visitors who send no cookie, forgotten when a cohort
changes, and never older than its time slice."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from core.pagecache import PUBLIC_PAGE_SECONDS
from tests.factories import CohortFactory, MemberFactory

pytestmark = pytest.mark.django_db


def test_a_visitor_without_cookies_gets_the_home_page_from_the_cache_and_no_cookie(
    client, django_assert_num_queries
):
    CohortFactory(name="Spring cohort")
    first = client.get(reverse("home"))
    # No form on the page: no CSRF token made, so no cookie to tie the page to one visitor.
    assert not first.cookies and not client.cookies
    with django_assert_num_queries(0):
        second = client.get(reverse("home"))
    assert second.content == first.content
    assert "Spring cohort" in second.content.decode()


def test_a_cohort_saved_or_deleted_shows_at_once(client):
    cohort = CohortFactory(name="Spring cohort")
    assert "Spring cohort" in client.get(reverse("home")).content.decode()
    cohort.name = "Autumn cohort"
    cohort.save()
    content = client.get(reverse("home")).content.decode()
    assert "Autumn cohort" in content and "Spring cohort" not in content
    cohort.delete()
    assert "Autumn cohort" not in client.get(reverse("home")).content.decode()


def test_a_visitor_with_any_cookie_gets_the_page_rendered_for_them(
    client, django_assert_max_num_queries
):
    cohort = CohortFactory()
    url = reverse("cohorts:detail", args=[cohort.slug])
    client.get(url)  # now in the cache
    member = MemberFactory()
    client.force_login(member)
    content = client.get(url).content.decode()
    assert f"Signed in as {member.email}" in content
    client.logout()
    client.cookies["anything"] = "1"
    with django_assert_max_num_queries(5) as rendered:
        client.get(url)
    assert len(rendered.captured_queries) >= 1


def test_a_deadline_passing_shows_within_the_time_slice(client):
    cohort = CohortFactory()
    url = reverse("cohorts:detail", args=[cohort.slug])
    with time_machine.travel(cohort.application_deadline - timedelta(seconds=5), tick=False):
        assert "Apply as a mentee" in client.get(url).content.decode()
    later = cohort.application_deadline + timedelta(seconds=PUBLIC_PAGE_SECONDS + 1)
    with time_machine.travel(later, tick=False):
        assert timezone.now() > cohort.application_deadline
        content = client.get(url).content.decode()
    assert "Apply as a mentee" not in content
    assert "Applications for this cohort are closed." in content


def test_a_query_string_is_rendered_not_kept(client, django_assert_max_num_queries):
    # One cache entry per made-up query string would let anyone fill the cache.
    CohortFactory(name="Spring cohort")
    client.get(reverse("home"))  # now in the cache
    for _ in range(2):  # the second time too: nothing was kept for it
        with django_assert_max_num_queries(5) as rendered:
            response = client.get(reverse("home"), {"utm": "made-up"})
        assert len(rendered.captured_queries) >= 1
        assert "Spring cohort" in response.content.decode()
