"""`{% url %}` in every template is the remembering one, and says what Django's own would."""

import pytest
from django.template import engines
from django.template.defaulttags import URLNode
from django.template.exceptions import TemplateSyntaxError
from django.test import override_settings
from django.urls import NoReverseMatch, path, reverse, set_script_prefix

from core import links as core_links
from core.templatetags import links


def _render(source: str, **context) -> str:
    return engines["django"].from_string(source).render(context)


@pytest.fixture(autouse=True)
def _forget():
    core_links._remembered.cache_clear()
    yield
    set_script_prefix("/")


def test_every_templates_url_tag_is_the_remembering_one():
    template = engines["django"].from_string("{% url 'meetings:workspace' 7 %}")
    nodes = template.template.nodelist.get_nodes_by_type(URLNode)
    assert [type(node) for node in nodes] == [links.RememberedURLNode]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{% url 'meetings:workspace' 7 %}", reverse("meetings:workspace", args=[7])),
        ("{% url 'meetings:workspace' pk=7 %}", reverse("meetings:workspace", kwargs={"pk": 7})),
        ("{% url 'meetings:goal' pk g %}", reverse("meetings:goal", args=[3, 4])),
        ("{% url name 7 %}", reverse("meetings:workspace", args=[7])),
        ("{% url 'home' as link %}[{{ link }}]", "[" + reverse("home") + "]"),
        ("{% url 'no-such-page' as link %}[{{ link }}]", "[]"),
    ],
)
def test_it_says_what_djangos_own_tag_says(source, expected):
    context = {"pk": 3, "g": 4, "name": "meetings:workspace"}
    assert _render(source, **context) == expected
    assert _render(source, **context) == expected  # and again, from what it remembered


def test_an_unknown_name_still_raises():
    with pytest.raises(NoReverseMatch):
        _render("{% url 'no-such-page' %}")
    with pytest.raises(TemplateSyntaxError):
        _render("{% url %}")


def test_each_pair_gets_its_own_link_and_the_answers_are_remembered():
    source = "{% for pk in pks %}{% url 'meetings:workspace' pk %} {% endfor %}"
    first = _render(source, pks=[1, 2, 1])
    assert first.split() == [reverse("meetings:workspace", args=[pk]) for pk in (1, 2, 1)]
    info = core_links._remembered.cache_info()
    assert (info.hits, info.misses) == (1, 2)


def test_a_site_under_a_prefix_gets_links_under_it():
    source = "{% url 'meetings:workspace' 7 %}"
    plain = _render(source)
    set_script_prefix("/mentoring/")
    assert _render(source) == "/mentoring" + plain
    set_script_prefix("/")
    assert _render(source) == plain


def test_an_argument_that_is_not_plain_text_or_a_number_is_reversed_each_time():
    class Key:
        def __str__(self) -> str:
            return "7"

    assert _render("{% url 'meetings:workspace' key %}", key=Key()) == reverse(
        "meetings:workspace", args=[7]
    )
    assert core_links._remembered.cache_info().currsize == 0


def _nowhere(request):  # pragma: no cover - only reversed, never requested
    raise AssertionError


# A URL configuration of this module's own, for the test below.
urlpatterns = [path("elsewhere/", _nowhere, name="home")]


def test_another_url_configuration_gets_its_own_links():
    plain = _render("{% url 'home' %}")
    with override_settings(ROOT_URLCONF=__name__):
        assert _render("{% url 'home' %}") == "/elsewhere/"
    assert _render("{% url 'home' %}") == plain == reverse("home")
