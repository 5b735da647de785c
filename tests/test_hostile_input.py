"""No input reaches a 500: every URL pattern crawled with hostile path and query values, and
every form of the product posted with generated hostile values.

The crawl walks the resolver (the project's URLs and the admin's, whatever is added later) as
an anonymous visitor, a member of a pair and staff. The form tests generate values with
Hypothesis: text with NUL bytes, 10,000-character strings, huge and negative numbers, dates in
years 1 and 9999, unknown time zones, digits that are not ASCII. Both run on SQLite and, with
DATABASE_URL set, on PostgreSQL, which refuses some values SQLite stores (a NUL in text).

Each request runs inside a savepoint that is rolled back, so one request's writes (or a
database error that aborts PostgreSQL's transaction) never change what the next one sees.
Examples are derandomized: the same values every run.
"""

import copy
import re
import zoneinfo
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import get_converters
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from cohorts.models import Cohort
from matching.models import Match, MatchRun
from meetings.models import ActionItem, Goal
from meetings.services import calendar_feed_for
from notifications.services import unsubscribe_token
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    ApplicationFactory,
    CohortFactory,
    MeetingFactory,
    PairFactory,
    ResourceFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DENVER = zoneinfo.ZoneInfo("America/Denver")
NOW = datetime(2026, 12, 10, 12, tzinfo=DENVER)

# Values that have broken Django sites: a NUL (PostgreSQL refuses it in text), a digit that is
# not ASCII ("²".isdigit() is True, int("²") raises), numbers out of every integer column's
# range, a negative, words where numbers go, and a value too long for any column.
HOSTILE = ["\x00", "a\x00b", "²", "-1", "0", "99999999999999999999", "abc", "x" * 3000]
# Query strings also carry dates (the admin's date filters and drill-down): the first and last
# days Python knows, which a zone shift pushes out of its range.
HOSTILE_QUERY = [*HOSTILE, "0001-01-01", "9999-12-31 23:59:59"]
# Each admin filter on its own: the values that have broken filters, to keep the crawl short.
HOSTILE_FILTER = ["\x00", "²", "99999999999999999999", "x" * 3000, *HOSTILE_QUERY[-2:]]

# Query parameters the product's own views and the admin read.
QUERY_KEYS = [
    "page",
    "p",
    "o",
    "q",
    "e",
    "order",
    "cohort",
    "cohort__id__exact",
    "status",
    "next",
    "_changelist_filters",
    "_to_field",
    "_popup",
    "role",
]


@pytest.fixture(autouse=True)
def _mid_period():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(db):
    """Something behind every URL: a released pair with goals and meetings, an open cohort
    with an application, a resource, a match run, a calendar feed, staff."""
    pair = PairFactory()
    mentee = pair.mentee.member
    goal = Goal.objects.create(match=pair, title="A goal", description="Its plan")
    step = ActionItem.objects.create(goal=goal, title="A step")
    held = MeetingFactory(match=pair, starts_at=datetime(2026, 10, 8, 17, tzinfo=DENVER))
    planned = MeetingFactory(match=pair, status="planned", starts_at=NOW + timedelta(days=3))
    open_cohort = CohortFactory(slug="open", name="Open cohort")
    draft = ApplicationFactory(cohort=open_cohort, member=mentee, status="draft", submitted_at=None)
    selection = pair.cohort
    AcceptedMentorFactory(cohort=selection)
    AcceptedFactory(cohort=selection)
    run = MatchRun.objects.create(cohort=selection, status=MatchRun.Status.DONE)
    resource = ResourceFactory(cohort=selection)
    staff = StaffFactory(email="staff@example.test")
    newcomer = UserFactory(email="newcomer@example.test")
    return {
        "newcomer": newcomer,
        "pair": pair,
        "mentee": mentee,
        "mentor": pair.mentor.member,
        "goal": goal,
        "step": step,
        "held": held,
        "planned": planned,
        "open_cohort": open_cohort,
        "draft": draft,
        "mentee_application": pair.mentee,
        "run": run,
        "resource": resource,
        "feed": calendar_feed_for(mentee),
        "staff": staff,
    }


def _client(world, persona: str) -> Client:
    # 500s come back as responses with their exception, rather than failing at the first one.
    client = Client(raise_request_exception=False)
    if persona == "member":
        client.force_login(world["mentee"])
    elif persona == "staff":
        client.force_login(world["staff"])
    return client


def _request(client: Client, method: str, url: str, data=None):
    """One request in a savepoint that is rolled back: its writes and errors stay its own.

    The cookies are put back too, so that signing out (a URL like any other) does not turn the
    persona into an anonymous visitor for the rest of the crawl.
    """
    cookies = copy.deepcopy(client.cookies)
    savepoint = transaction.savepoint()
    try:
        return getattr(client, method)(url, data or {})
    finally:
        transaction.savepoint_rollback(savepoint)
        client.cookies = cookies


def _failure(response, method: str, url: str, data=None) -> str | None:
    if response.status_code < 500:
        return None
    exc = response.exc_info[1] if getattr(response, "exc_info", None) else None
    shown = {
        k: (v[:20] + "…" if isinstance(v, str) and len(v) > 20 else v)
        for k, v in (data or {}).items()
    }
    return f"{method.upper()} {url[:120]} {shown or ''} -> {response.status_code} {exc!r:.200}"


# ---------------------------------------------------------------------------------------------
# The crawl
# ---------------------------------------------------------------------------------------------

PARAMETER_RE = re.compile(
    r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>|\(\?P<(?P<group>\w+)>(?P<regex>[^)]*)\)"
)


def _patterns(patterns=None, prefix: str = "") -> Iterator[str]:
    """Every URL pattern as one string, the admin's included: 'mentorship/<int:pk>/goals/'."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern)


def _model_admin_for(route: str):
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if not match:
        return None
    for model, model_admin in admin.site._registry.items():
        if (model._meta.app_label, model._meta.model_name) == match.groups():
            return model_admin
    return None


def _valid_value(world, route: str, name: str) -> str:
    """A value that finds a real object, so the hostile value in another place is reached."""
    by_name = {
        "goal_pk": world["goal"].pk,
        "item_pk": world["step"].pk,
        "meeting_pk": world["held"].pk,
        "slug": world["open_cohort"].slug,
        "role": "mentee",
        "key": "abc",
        "uidb36": "1",
        "app_label": "applications",
        "url": "nowhere/",
        "content_type_id": ContentType.objects.get_for_model(Cohort).pk,
    }
    if route.startswith("mentorship/calendar/"):
        return world["feed"].token
    if route.startswith("notifications/unsubscribe/"):
        return unsubscribe_token(world["mentee"])
    if route.startswith("mentorship/"):
        by_name["pk"] = world["pair"].pk
    elif route.startswith("applications/"):
        by_name["pk"] = world["mentee_application"].pk
    elif route.startswith("cohorts/resources/"):
        by_name["pk"] = world["resource"].pk
    elif route.startswith("admin/r/"):
        by_name["object_id"] = world["pair"].cohort.pk
    elif route.startswith("admin/accounts/user/"):
        by_name["id"] = world["mentee"].pk
    elif route.startswith("admin/matching/match/"):
        by_name["pk"] = Match.objects.first().pk
    model_admin = _model_admin_for(route)
    if name == "object_id" and model_admin is not None:
        first = model_admin.model._default_manager.order_by("pk").first()
        by_name["object_id"] = first.pk if first else 1
    if route.startswith("admin/matching/matchrun/"):
        by_name["object_id"] = world["run"].pk
    return str(by_name.get(name, "1"))


def _url(route: str, values: dict[str, str]) -> str:
    def substitute(match: re.Match) -> str:
        return quote(values[match.group("name") or match.group("group")], safe="")

    return "/" + PARAMETER_RE.sub(substitute, route).replace("^", "").replace("$", "")


def _accepts(parameter: re.Match, value: str) -> bool:
    """Whether the URL resolver lets the value through to the view at all."""
    if parameter.group("group"):
        regex = parameter.group("regex")
    else:
        regex = get_converters()[parameter.group("converter") or "str"].regex
    return re.fullmatch(regex, value) is not None


def _routes(persona: str) -> list[str]:
    """The admin turns away everyone but staff before any of its views runs: visitors and
    members are sent to its sign-in page from every admin URL, which is checked once."""
    routes = list(_patterns())
    if persona == "staff":
        return routes
    return [r for r in routes if not r.startswith("admin/") or r in ("admin/", "admin/login/")]


def _urls_with_hostile_paths(world, persona: str) -> Iterator[str]:
    """Each pattern with real values, then with each hostile value in each place in turn.

    Values a converter refuses ("abc" for <int:pk>) never reach the view: the resolver's 404
    is checked once, not for every pattern.
    """
    yield "/mentorship/abc/"
    yield "/admin/meetings/meeting/%C2%B2/change/"
    for route in _routes(persona):
        parameters = list(PARAMETER_RE.finditer(route))
        names = [p.group("name") or p.group("group") for p in parameters]
        valid = {name: _valid_value(world, route, name) for name in names}
        yield _url(route, valid)
        for parameter, name in zip(parameters, names, strict=True):
            for value in HOSTILE:
                if _accepts(parameter, value):
                    yield _url(route, {**valid, name: value})


@pytest.mark.parametrize("persona", ["anonymous", "member", "staff"])
def test_no_url_pattern_answers_500_to_hostile_path_values(world, persona):
    client = _client(world, persona)
    failures = []
    for url in _urls_with_hostile_paths(world, persona):
        for method in ("get", "post"):
            failures.append(_failure(_request(client, method, url), method, url))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


def _urls_with_real_values(world, persona: str) -> list[str]:
    urls = []
    for route in _routes(persona):
        names = [m.group("name") or m.group("group") for m in PARAMETER_RE.finditer(route)]
        urls.append(_url(route, {name: _valid_value(world, route, name) for name in names}))
    return urls


def _admin_queries(client: Client, url: str) -> list[dict]:
    """For an admin change list: each parameter its filters and date drill-down read, and the
    drill-down to the last month and day Python knows and to the first."""
    response = _request(client, "get", url)
    changelist = response.context and response.context.get("cl")
    if changelist is None:
        return []
    names = [name for spec in changelist.filter_specs for name in spec.expected_parameters()]
    drilldowns = []
    if field := changelist.date_hierarchy:
        names += [f"{field}__{part}" for part in ("year", "month", "day", "gte", "lt")]
        for year, month, day in [("9999", "12", "31"), ("1", "1", "1"), ("2026", "13", "32")]:
            drilldowns += [
                {f"{field}__year": year, f"{field}__month": month},
                {f"{field}__year": year, f"{field}__month": month, f"{field}__day": day},
            ]
    return [{name: value} for name in names for value in HOSTILE_FILTER] + drilldowns


@pytest.mark.parametrize("persona", ["anonymous", "member", "staff"])
def test_no_page_answers_500_to_hostile_query_values(world, persona):
    client = _client(world, persona)
    failures = []
    for url in _urls_with_real_values(world, persona):
        # The usual keys all at once; then each admin filter on its own, since a change list
        # drops every filter when one is wrong, which would hide the others.
        queries = [dict.fromkeys(QUERY_KEYS, value) for value in HOSTILE_QUERY]
        if persona == "staff":
            queries += _admin_queries(client, url)
        for query in queries:
            response = _request(client, "get", url, query)
            failures.append(_failure(response, "get", url, query))
    failures = [f for f in failures if f]
    assert not failures, "\n".join(failures)


# ---------------------------------------------------------------------------------------------
# Every form, posted with generated values
# ---------------------------------------------------------------------------------------------

FIELD_NAME_RE = re.compile(r"<(?:input|select|textarea|button)\b[^>]*?\bname=\"([^\"]+)\"")
FILE_FIELD_RE = re.compile(r"<input\b[^>]*?\btype=\"file\"[^>]*?\bname=\"([^\"]+)\"")

# What people and programs type: any text (NULs and every script included), very long text,
# numbers far out of range, dates Python barely holds, zones that do not exist, digits that
# are not ASCII, and sometimes nothing.
HOSTILE_VALUES = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=st.sampled_from("\x00\x01\u202e²\u0661\u0662 0-9aZ"), max_size=12),
    st.just("x" * 10_000),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(date.isoformat),
    st.datetimes().map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M")),
    st.sampled_from(
        [
            "",
            "0001-01-01",
            "9999-12-31",
            "9999-12-31T23:59",
            "0001-01-01T00:00",
            "23:59",
            "Mars/Olympus_Mons",
            "America",
            "x" * 64,
            "²",
            "-1",
            "0",
            "99999999999999999999",
            "on",
            "submit",
        ]
    ),
)
HOSTILE_FILES = st.binary(max_size=300).map(
    lambda content: SimpleUploadedFile("roster.csv", content, content_type="text/csv")
)


def _world_url(world, name: str) -> str:
    pair, goal = world["pair"].pk, world["goal"].pk
    selection = world["pair"].cohort.pk
    return {
        "membership": "/membership/",
        "profile": "/profile/",
        "profile_name": "/profile/name/",
        "apply_mentee": f"/cohorts/{world['open_cohort'].slug}/apply/mentee/",
        "apply_mentor": f"/cohorts/{world['open_cohort'].slug}/apply/mentor/",
        "goal_new": f"/mentorship/{pair}/goals/new/",
        "goal_edit": f"/mentorship/{pair}/goals/{goal}/edit/",
        "goal": f"/mentorship/{pair}/goals/{goal}/",
        "steps": f"/mentorship/{pair}/goals/{goal}/steps/",
        "step": f"/mentorship/{pair}/goals/{goal}/steps/{world['step'].pk}/",
        "comments": f"/mentorship/{pair}/goals/{goal}/comments/",
        "expectations": f"/mentorship/{pair}/expectations/",
        "meeting_plan": f"/mentorship/{pair}/meetings/plan/",
        "meeting_log": f"/mentorship/{pair}/meetings/log/",
        "reschedule": f"/mentorship/{pair}/meetings/{world['planned'].pk}/reschedule/",
        "mark_held": f"/mentorship/{pair}/meetings/{world['planned'].pk}/held/",
        "log_edit": f"/mentorship/{pair}/meetings/{world['held'].pk}/log/",
        "preferences": "/notifications/preferences/",
        "signup": "/accounts/signup/",
        "login": "/accounts/login/",
        "password_reset": "/accounts/password/reset/",
        "roster_import": "/admin/applications/membership/import/",
        "run_matching": f"/admin/matching/matchrun/start/?cohort={selection}",
        "cohort_add": "/admin/cohorts/cohort/add/",
        "cohort_change": f"/admin/cohorts/cohort/{selection}/change/",
        "cohort_list": "/admin/cohorts/cohort/",
        "release": f"/admin/matching/match/release/?cohort={selection}",
        "match_add": f"/admin/matching/match/add/?cohort={selection}",
        "run_result": f"/admin/matching/matchrun/{world['run'].pk}/change/",
        "meeting_correct": f"/admin/meetings/meeting/{world['held'].pk}/change/",
        "profile_admin": f"/admin/applications/memberprofile/{world['mentee'].profile.pk}/change/",
    }[name]


# (what, who, the page whose form is read, where it is posted, the prefix of its fields)
FORMS = [
    ("membership", "newcomer", "membership", "membership", ""),
    ("profile", "member", "profile", "profile", ""),
    ("your name", "member", "profile", "profile_name", ""),
    ("apply as a mentee", "member", "apply_mentee", "apply_mentee", ""),
    ("apply as a mentor", "mentor", "apply_mentor", "apply_mentor", ""),
    ("a new goal", "member", "goal_new", "goal_new", ""),
    ("a goal changed", "member", "goal_edit", "goal_edit", ""),
    ("a step", "member", "goal", "steps", "step-"),
    ("a step ticked", "member", "goal", "step", ""),
    ("a comment", "mentor", "goal", "comments", "comment-"),
    ("expectations", "member", "expectations", "expectations", ""),
    ("a meeting planned", "member", "meeting_plan", "meeting_plan", ""),
    ("a meeting logged", "mentor", "meeting_log", "meeting_log", ""),
    ("a meeting rescheduled", "member", "reschedule", "reschedule", ""),
    ("a planned meeting marked held", "member", "mark_held", "mark_held", ""),
    ("a log changed", "member", "log_edit", "log_edit", ""),
    ("reminder preferences", "member", "preferences", "preferences", ""),
    ("sign up", "anonymous", "signup", "signup", ""),
    ("sign in", "anonymous", "login", "login", ""),
    ("password reset", "anonymous", "password_reset", "password_reset", ""),
    ("roster import", "staff", "roster_import", "roster_import", ""),
    ("run matching", "staff", "run_matching", "run_matching", ""),
    ("a cohort added", "staff", "cohort_add", "cohort_add", ""),
    ("a cohort changed", "staff", "cohort_change", "cohort_change", ""),
    ("the cohort list and its release action", "staff", "cohort_list", "cohort_list", ""),
    ("matches released", "staff", "release", "release", ""),
    ("a match added by hand", "staff", "match_add", "match_add", ""),
    ("a run's pairs decided", "staff", "run_result", "run_result", ""),
    ("a meeting corrected", "staff", "meeting_correct", "meeting_correct", ""),
    ("a member profile in admin", "staff", "profile_admin", "profile_admin", ""),
]


# Pages that show their form only when there is something to decide: post its fields anyway.
FIELDS_WITHOUT_A_FORM = {
    "release": ["post", "action", "_selected_action"],
    "run_result": ["decision", "scope", "match"],
}


def _persona_client(world, persona: str) -> Client:
    client = Client(raise_request_exception=False)
    user = {
        "member": world["mentee"],
        "mentor": world["mentor"],
        "newcomer": world["newcomer"],
        "staff": world["staff"],
    }.get(persona)
    if user is not None:
        client.force_login(user)
    return client


def _form_fields(client: Client, url: str, prefix: str) -> tuple[list[str], list[str]]:
    """The names of the form's fields (and buttons) and of its file fields, from the page."""
    html = _request(client, "get", url).content.decode()
    files = sorted(set(FILE_FIELD_RE.findall(html)))
    names = sorted(
        {name for name in FIELD_NAME_RE.findall(html) if name != "csrfmiddlewaretoken"} - set(files)
    )
    if prefix:
        names = [name for name in names if name.startswith(prefix)]
    return names, files


@pytest.mark.parametrize(
    ("what", "persona", "page", "target", "prefix"), FORMS, ids=[f[0] for f in FORMS]
)
@settings(
    max_examples=20,
    deadline=None,
    derandomize=True,
    # No shrinking: the failing values are printed as generated, and a failure stays quick.
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_form_answers_500_to_generated_values(world, what, persona, page, target, prefix, data):
    client = _persona_client(world, persona)
    names, files = _form_fields(client, _world_url(world, page), prefix)
    names = names or FIELDS_WITHOUT_A_FORM.get(page, [])
    assert names or files, f"no form found on {page}"
    post = data.draw(st.fixed_dictionaries(dict.fromkeys(names, HOSTILE_VALUES)))
    post |= data.draw(st.fixed_dictionaries(dict.fromkeys(files, HOSTILE_FILES)))
    url = _world_url(world, target)
    response = _request(client, "post", url, post)
    assert response.status_code < 500, _failure(response, "post", url, post)
