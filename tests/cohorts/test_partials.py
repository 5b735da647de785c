"""The orientation and resource partials, as a workspace page embeds them: valid and accessible."""

from datetime import timedelta

import pytest
from django.template import engines
from django.test import RequestFactory
from django.utils import timezone

from cohorts.models import Resource
from tests.browser import assert_accessible, assert_valid_html
from tests.factories import ResourceFactory

# A stand-in for the pair workspace: the section headings are the including page's.
WORKSPACE = """{% extends "base.html" %}
{% block head_title %}Your workspace{% endblock head_title %}
{% block content %}
<h1 class="h2">Your workspace</h1>
<section aria-labelledby="orientation-title">
  <h2 id="orientation-title" class="h4">Orientation</h2>
  {% include "cohorts/_orientation.html" %}
</section>
<section aria-labelledby="resources-title">
  <h2 id="resources-title" class="h4">Resources</h2>
  {% include "cohorts/_resources.html" %}
</section>
{% endblock content %}"""


def _library(cohort) -> list[Resource]:
    ResourceFactory(
        cohort=None,
        title="Program handbook",
        uploaded=True,
        description="Everything about the program.\nRead it first.",
    )
    ResourceFactory(cohort=cohort, phase=Resource.Phase.EARLY, title="Setting goals & plans")
    ResourceFactory(cohort=cohort, phase=Resource.Phase.CLOSING, title="Closing reflection")
    return list(Resource.objects.for_participant(cohort=cohort, role="mentee"))


def _workspace(user, cohort, resources) -> str:
    request = RequestFactory().get("/")
    request.user = user
    template = engines["django"].from_string(WORKSPACE)
    return template.render({"cohort": cohort, "resources": resources}, request=request)


@pytest.mark.django_db
def test_the_partials_make_valid_html_in_a_page(cohort, mentee, media_root):
    html = _workspace(mentee, cohort, _library(cohort))
    assert "Join the orientation" in html and "Program handbook" in html
    assert_valid_html(html, context="orientation and resources, upcoming")


@pytest.mark.django_db
def test_the_partials_make_valid_html_after_the_orientation_and_with_no_resources(cohort, mentee):
    cohort.orientation_at = timezone.now() - timedelta(days=3)
    html = _workspace(mentee, cohort, [])
    assert "took place on" in html and "No resources yet." in html
    assert_valid_html(html, context="orientation and resources, past and empty")


@pytest.mark.browser
def test_the_partials_pass_axe_in_a_page(page, cohort, mentee, media_root):
    html = _workspace(mentee, cohort, _library(cohort))
    # Load the site first so the page keeps its origin and its stylesheets (colour contrast).
    page.goto("/")
    page.set_content(html)
    assert page.get_by_role("heading", name="Early months").is_visible()
    assert_accessible(page, context="orientation and resources")
