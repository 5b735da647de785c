"""Staff's matching pages with ids and query values that are not ids: never a 500."""

import pytest
from django.urls import reverse

from matching.models import Match, MatchRun
from tests.factories import AcceptedFactory, AcceptedMentorFactory, SelectionCohortFactory

pytestmark = pytest.mark.django_db

NOT_IDS = ["²", "abc", "-1", "0", "99999999999999999999", "\x00"]


@pytest.fixture
def cohort():
    cohort = SelectionCohortFactory()
    AcceptedMentorFactory(cohort=cohort)
    AcceptedFactory(cohort=cohort)
    return cohort


@pytest.mark.parametrize("value", NOT_IDS)
@pytest.mark.parametrize(
    "page",
    ["admin:matching_matchrun_start", "admin:matching_match_add", "admin:matching_match_release"],
)
def test_a_cohort_in_the_query_that_is_no_id_asks_for_the_cohort_again(
    client, staff, cohort, page, value
):
    client.force_login(staff)
    response = client.get(reverse(page), {"cohort": value}, follow=True)
    assert response.status_code in {200, 404}


@pytest.mark.parametrize("value", NOT_IDS)
def test_a_run_id_that_is_no_number_is_not_found(client, staff, value):
    client.force_login(staff)
    url = reverse("admin:matching_matchrun_change", args=["0"]).replace("/0/", f"/{value}/")
    assert client.get(url).status_code == 404


def test_pairs_ticked_with_values_that_are_no_ids_are_ignored(client, staff, cohort):
    run = MatchRun.objects.create(cohort=cohort, status=MatchRun.Status.DONE)
    client.force_login(staff)
    url = reverse("admin:matching_matchrun_change", args=[run.pk])
    response = client.post(url, {"decision": "approve", "match": NOT_IDS}, follow=True)
    assert response.status_code == 200
    assert "Select at least one pair." in response.content.decode()
    assert not Match.objects.exists()
