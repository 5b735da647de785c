"""The workspace's resource list: sorted in Python exactly as the database sorts it, kept in the
cache per cohort and role, and never served after a resource changes."""

import pytest
from django.urls import reverse

from cohorts.models import Resource
from cohorts.services import resource_delete
from meetings import selectors
from tests.factories import CohortFactory, PairFactory, ResourceFactory

pytestmark = pytest.mark.django_db

Audience, Phase = Resource.Audience, Resource.Phase


def test_the_python_sort_is_the_models_ordering():
    cohort = CohortFactory()
    for phase in reversed(Phase.values):
        for order in (2, 0, 1):
            for title in ("Beta", "Alpha"):
                ResourceFactory(cohort=cohort, phase=phase, order=order, title=title)
    ResourceFactory(cohort=None, phase=Phase.EARLY, order=1, title="Alpha")
    resources = Resource.objects.for_participant(cohort=cohort, role="mentee")

    assert [r.pk for r in resources.in_program_order()] == [r.pk for r in resources]
    assert [r.phase for r in resources.in_program_order()][:1] == [Phase.ORIENTATION]


def _resource_titles(client, pair) -> list[str]:
    page = client.get(reverse("meetings:workspace", args=[pair.pk])).content.decode()
    return [r.title for r in Resource.objects.all() if f">{r.title}<" in page]


@pytest.fixture
def pair_and_client(client):
    pair = PairFactory()
    client.force_login(pair.mentee.member)
    return pair, client


def test_a_cached_list_is_served_without_a_query(pair_and_client, django_assert_num_queries):
    pair, _ = pair_and_client
    ResourceFactory(cohort=pair.cohort, title="Setting goals")
    first = selectors.resources_for(pair, "mentee")

    with django_assert_num_queries(0):
        again = selectors.resources_for(pair, "mentee")
    assert [r.title for r in again] == [r.title for r in first] == ["Setting goals"]


def test_each_role_has_its_own_list_and_staff_see_the_mentees(pair_and_client):
    pair, _ = pair_and_client
    ResourceFactory(cohort=pair.cohort, title="For mentors", audience=Audience.MENTOR)
    ResourceFactory(cohort=pair.cohort, title="For mentees", audience=Audience.MENTEE)

    assert [r.title for r in selectors.resources_for(pair, "mentee")] == ["For mentees"]
    assert [r.title for r in selectors.resources_for(pair, "mentor")] == ["For mentors"]
    assert [r.title for r in selectors.resources_for(pair, "staff")] == ["For mentees"]


def test_a_resource_added_changed_or_deleted_shows_on_the_next_page(pair_and_client):
    pair, client = pair_and_client
    own = ResourceFactory(cohort=pair.cohort, title="Setting goals")
    assert _resource_titles(client, pair) == ["Setting goals"]

    everyone = ResourceFactory(cohort=None, title="Program handbook")
    assert sorted(_resource_titles(client, pair)) == ["Program handbook", "Setting goals"]

    own.title = "Setting your goals"
    own.save()
    assert sorted(_resource_titles(client, pair)) == ["Program handbook", "Setting your goals"]

    own.audience = Audience.MENTOR
    own.save()
    assert _resource_titles(client, pair) == ["Program handbook"]

    resource_delete(resource=everyone)
    assert _resource_titles(client, pair) == []


def test_a_resource_moved_to_another_cohort_leaves_this_cohorts_list(pair_and_client):
    pair, client = pair_and_client
    other = PairFactory().cohort
    resource = ResourceFactory(cohort=pair.cohort, title="Setting goals")
    assert _resource_titles(client, pair) == ["Setting goals"]

    resource.cohort = other
    resource.save()
    assert _resource_titles(client, pair) == []


def test_every_change_moves_every_cohorts_stamp_on(pair_and_client):
    pair, _ = pair_and_client
    other = PairFactory().cohort
    before = {c.pk: c.resources_changed_at for c in (pair.cohort, other)}

    ResourceFactory(cohort=pair.cohort)

    for cohort in (pair.cohort, other):
        cohort.refresh_from_db()
        assert cohort.resources_changed_at > before[cohort.pk]
