"""The staff admin keeps private data from staff without the permission that guards it.

Every change list registered in the admin is walked as staff holding every permission but one
privacy permission (a pair's workspace, or members' self-identification). For every path from
the list's model to a private field, query-string lookups that would tell a hit from a miss
(`__icontains`, `__startswith`, `__exact`, `__id__exact`, `__isnull`, JSON keys...) must get the
same answer for both; searches too. And no page, history or export shows a private value.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from applications.models import Application, BackgroundGroup, MemberProfile
from applications.services import profile_snapshot
from matching.emails import announcements_record
from matching.models import Match, MatchRun
from meetings.admin import MeetingAdmin
from meetings.models import ActionItem, Expectations, Goal, GoalComment, Meeting
from meetings.reminders import meeting_reminder_send
from notifications.models import Notification
from tests.factories import (
    AcceptedFactory,
    AcceptedMentorFactory,
    MeetingFactory,
    MemberFactory,
    PairFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WORKSPACE = "view_pair_workspace"
SELF_IDENTIFICATION = "view_self_identification"
PROJECT_APPS = {"accounts", "applications", "cohorts", "matching", "meetings", "notifications"}
MISS = "zq-not-there-xj"

# The pair's own words: only staff with the workspace permission may read them.
WORKSPACE_SECRETS = {
    "agenda": "Quillfeather agenda: residency interviews",
    "video_link": "https://video.example.org/quillroom-4471",
    "topics": "Quillfeather topics about burnout",
    "notes": "Quillfeather private notes on the manager",
    "next_steps": "Quillfeather next steps: call the dean",
    "goal_title": "Quillfeather goal: pass the board exam",
    "goal_description": "Quillfeather goal description, kept private",
    "step": "Quillfeather step: book the exam",
    "comment": "Quillfeather comment from the mentor",
    "meeting_plan": "Quillfeather plan: first Tuesday",
    "communication": "Quillfeather email within three days",
    "other": "Quillfeather other agreement",
}
GROUP_NAME = "Kestrelwood heritage"
PRIVATE_REASON = "share a self-identified background, as the mentee asked"
FULL_SCORE = Decimal("87.65")  # of which 20.00 shared background: staff without it see 67.65


def _private_lookups(world) -> list[tuple[type, str, str | None, list[tuple[str, object, object]]]]:
    """(model, field, permission guarding it or None for every persona, [(suffix, hit, miss)])."""

    def texts(model, field, secret, permission=WORKSPACE):
        variants = [
            ("icontains", secret[4:16].upper(), MISS),
            ("startswith", secret[:9], MISS),
            ("exact", secret, MISS),
            ("gt", "", "\uffff"),  # compared as text: a hit when there is any text at all
        ]
        return (model, field, permission, variants)

    group = world["group"]
    return [
        texts(Meeting, "agenda", WORKSPACE_SECRETS["agenda"]),
        texts(Meeting, "video_link", WORKSPACE_SECRETS["video_link"]),
        texts(Meeting, "topics", WORKSPACE_SECRETS["topics"]),
        texts(Meeting, "notes", WORKSPACE_SECRETS["notes"]),
        texts(Meeting, "next_steps", WORKSPACE_SECRETS["next_steps"]),
        texts(Goal, "title", WORKSPACE_SECRETS["goal_title"]),
        texts(Goal, "description", WORKSPACE_SECRETS["goal_description"]),
        texts(ActionItem, "title", WORKSPACE_SECRETS["step"]),
        texts(GoalComment, "body", WORKSPACE_SECRETS["comment"]),
        texts(Expectations, "meeting_plan", WORKSPACE_SECRETS["meeting_plan"]),
        texts(Expectations, "communication", WORKSPACE_SECRETS["communication"]),
        texts(Expectations, "other", WORKSPACE_SECRETS["other"]),
        (
            MemberProfile,
            "background_groups",
            SELF_IDENTIFICATION,
            [
                ("id__exact", group.pk, 999_999),
                ("exact", group.pk, 999_999),
                ("name__icontains", GROUP_NAME[:9], MISS),
                ("isnull", "False", "True"),
            ],
        ),
        (
            MemberProfile,
            "use_background_in_matching",
            SELF_IDENTIFICATION,
            [("exact", "1", "0"), ("isnull", "False", "True")],
        ),
        (
            Application,
            "profile_snapshot",
            SELF_IDENTIFICATION,
            [
                ("icontains", f"[{group.pk}]", f"[{group.pk + 999_999}]"),
                ("background_groups__0", group.pk, 999_999),
            ],
        ),
        (
            Match,
            "reasons",
            SELF_IDENTIFICATION,
            [("icontains", "self-identified", MISS), ("0__icontains", "self-identified", MISS)],
        ),
        (
            Match,
            "components",
            SELF_IDENTIFICATION,
            [
                ("shared_background__points__gt", "0", "1000"),
                ("icontains", "shared_background", MISS),
            ],
        ),
        (Match, "score", SELF_IDENTIFICATION, [("exact", str(FULL_SCORE), "12.34")]),
        (MatchRun, "total_score", SELF_IDENTIFICATION, [("exact", str(FULL_SCORE), "12.34")]),
        (
            Notification,
            "context",
            None,
            [("icontains", "meeting_url", MISS), ("meeting_id", world["meeting"].pk, 999_999)],
        ),
        (Notification, "attachments", None, [("icontains", "VCALENDAR", MISS)]),
    ]


@pytest.fixture
def world():
    """A released pair sharing a self-identified background, with everything a pair writes."""
    group = BackgroundGroup.objects.create(name=GROUP_NAME, order=999)
    components = {
        "background": {"points": 40.0, "max": 40.0},
        "region": {"points": 27.65, "max": 40.0},
        "shared_background": {"points": 20.0, "max": 20.0},
    }
    reasons = [PRIVATE_REASON, "both practise in ambulatory care"]
    pair = PairFactory(score=FULL_SCORE, components=components, reasons=reasons)
    for application in (pair.mentor, pair.mentee):
        profile = application.member.profile
        profile.use_background_in_matching = True
        profile.save()
        profile.background_groups.set([group])
        application.profile_snapshot = profile_snapshot(profile)
        application.wants_shared_background = application.role == "mentee"
        application.save()
    MemberFactory()  # a profile without self-identification: a filter would tell them apart

    # A run proposing another pair of the cohort, scored the same way.
    run = MatchRun.objects.create(
        cohort=pair.cohort,
        status=MatchRun.Status.DONE,
        weights={"background": 40, "region": 40, "interests": 0, "shared_background": 20},
        pairs_proposed=1,
        total_score=FULL_SCORE,
        mean_score=FULL_SCORE,
        min_score=FULL_SCORE,
        unmatched=[],
    )
    Match.objects.create(
        cohort=pair.cohort,
        run=run,
        mentor=AcceptedMentorFactory(cohort=pair.cohort),
        mentee=AcceptedFactory(cohort=pair.cohort),
        score=FULL_SCORE,
        components=components,
        reasons=reasons,
    )

    planned = MeetingFactory(
        match=pair,
        status=Meeting.Status.PLANNED,
        agenda=WORKSPACE_SECRETS["agenda"],
        video_link=WORKSPACE_SECRETS["video_link"],
    )
    MeetingFactory(
        match=pair,
        topics=WORKSPACE_SECRETS["topics"],
        notes=WORKSPACE_SECRETS["notes"],
        next_steps=WORKSPACE_SECRETS["next_steps"],
    )
    MeetingFactory(match=pair)  # a held meeting whose log says nothing
    goal = Goal.objects.create(
        match=pair,
        title=WORKSPACE_SECRETS["goal_title"],
        description=WORKSPACE_SECRETS["goal_description"],
    )
    Goal.objects.create(match=pair, title="")
    ActionItem.objects.create(goal=goal, title=WORKSPACE_SECRETS["step"])
    GoalComment.objects.create(
        goal=goal, author=pair.mentor.member, body=WORKSPACE_SECRETS["comment"]
    )
    Expectations.objects.create(
        match=pair,
        meeting_plan=WORKSPACE_SECRETS["meeting_plan"],
        communication=WORKSPACE_SECRETS["communication"],
        other=WORKSPACE_SECRETS["other"],
        updated_at=timezone.now(),
        updated_by=pair.mentee.member,
    )
    # The meeting's reminder, as the reminder job records it.
    meeting_reminder_send(
        meeting_id=planned.pk,
        user_id=pair.mentee.member_id,
        now=planned.starts_at - timedelta(hours=23),
    )
    assert Notification.objects.filter(kind="meeting_reminder").exists()
    # The announcement, as release records it: the reasons it quotes leave self-identification out.
    announcements_record(pair, now=timezone.now())
    Notification.objects.create(
        kind="orientation_reminder",
        idempotency_key="orientation-reminder:test",
        recipient=pair.mentee.member,
        to_email=pair.mentee.member.email,
        attachments=[
            {
                "filename": "orientation.ics",
                "content": "BEGIN:VCALENDAR",
                "mimetype": "text/calendar",
            }
        ],
    )
    return {"pair": pair, "group": group, "meeting": planned, "mentee": pair.mentee, "run": run}


def staff_without(codename: str):
    """Staff holding every permission there is, except `codename`."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.exclude(codename=codename))
    return user


def _secrets_for(codename: str) -> list[str]:
    if codename == WORKSPACE:
        return [*WORKSPACE_SECRETS.values(), "quillroom"]
    return [GROUP_NAME, "self-identified", str(FULL_SCORE)]


def _relation_paths(model, depth: int = 3) -> list[tuple[str, type]]:
    """("", model) and (`a__b__`, model reached) for each chain of up to `depth` relations
    between the project's models, visiting each model once per chain."""
    paths = [("", model)]
    frontier = [("", model, {model._meta.concrete_model})]
    for _ in range(depth):
        reached = []
        for prefix, current, seen in frontier:
            for field in current._meta.get_fields():
                related = field.related_model if field.is_relation else None
                if related is None or related._meta.app_label not in PROJECT_APPS:
                    continue
                if related._meta.concrete_model in seen:
                    continue
                chain = seen | {related._meta.concrete_model}
                reached.append((f"{prefix}{field.name}__", related, chain))
        paths += [(prefix, related) for prefix, related, _ in reached]
        frontier = reached
    return paths


def _changelist_url(model) -> str | None:
    try:
        return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    except NoReverseMatch:
        return None


def _outcome(response) -> tuple:
    count = None
    if response.status_code == 200 and response.context_data:
        count = response.context_data["cl"].result_count
    return response.status_code, count


def _distinguishes(model, lookup: str, hit, miss) -> bool:
    """Whether the lookup, were it applied, would answer a hit and a miss differently."""
    try:
        manager = model._default_manager
        return manager.filter(**{lookup: hit}).count() != manager.filter(**{lookup: miss}).count()
    except Exception:  # a lookup the database does not support tells nothing either
        return False


@pytest.mark.parametrize("codename", [WORKSPACE, SELF_IDENTIFICATION])
def test_no_change_list_filters_or_searches_private_fields_for_staff_without_the_permission(
    client, world, codename
):
    client.force_login(staff_without(codename))
    specs = [spec for spec in _private_lookups(world) if spec[2] in {codename, None}]
    leaks, tried, fields_reached = [], 0, set()
    for model in admin.site._registry:
        url = _changelist_url(model)
        if url is None:
            continue
        for prefix, reached in _relation_paths(model):
            for private_model, field, _, variants in specs:
                if reached._meta.concrete_model is not private_model._meta.concrete_model:
                    continue
                for suffix, hit, miss in variants:
                    lookup = f"{prefix}{field}__{suffix}"
                    if not _distinguishes(model, lookup, hit, miss):
                        continue
                    tried += 1
                    fields_reached.add((private_model.__name__, field))
                    answers = {_outcome(client.get(url, {lookup: value})) for value in (hit, miss)}
                    if len(answers) != 1:
                        leaks.append(f"{url}?{lookup}= answers {sorted(answers, key=str)}")
                    if any(status >= 500 for status, _ in answers):
                        leaks.append(f"{url}?{lookup}= fails with {answers}")
        for secret in _secrets_for(codename):
            if secret == GROUP_NAME and model is BackgroundGroup:
                continue  # reference data: their own list names them
            answers = {_outcome(client.get(url, {"q": value})) for value in (secret, MISS)}
            if len(answers) != 1:
                leaks.append(f"{url}?q={secret} answers {sorted(answers, key=str)}")

    assert leaks == []
    # The walk reached every private field through some change list, with lookups that would
    # have told a hit from a miss had they been applied.
    expected = {(m.__name__, f) for m, f, _, _ in specs}
    assert fields_reached == expected
    assert tried > 100


def _pages(client, model, model_admin) -> list[str]:
    """The change list, and each object's change, history and delete pages, as this user may."""
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    urls = [f"{reverse(info + '_changelist')}"]
    for obj in model._default_manager.all()[:8]:
        urls += [
            reverse(f"{info}_change", args=[obj.pk]),
            reverse(f"{info}_history", args=[obj.pk]),
            reverse(f"{info}_delete", args=[obj.pk]),
        ]
    pages = []
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        pages.append((url, response.content.decode()))
    return pages


@pytest.mark.parametrize("codename", [WORKSPACE, SELF_IDENTIFICATION])
def test_no_admin_page_or_export_shows_a_private_value_to_staff_without_the_permission(
    client, world, codename
):
    client.force_login(staff_without(codename))
    pages = []
    for model, model_admin in admin.site._registry.items():
        pages += _pages(client, model, model_admin)
    pair, run = world["pair"], world["run"]
    pages.append(
        (
            "run result",
            client.get(reverse("admin:matching_matchrun_change", args=[run.pk])).content.decode(),
        )
    )
    pages.append(
        (
            "pair export",
            b"".join(client.get(reverse("admin:meetings_pair_export")).streaming_content).decode(),
        )
    )
    applications = [pair.mentor.pk, pair.mentee.pk]
    export = client.post(
        reverse("admin:applications_application_changelist"),
        {"action": "export_csv", "_selected_action": applications},
    )
    pages.append(("applications export", export.content.decode()))
    preview = client.post(
        reverse("admin:matching_match_add") + f"?cohort={pair.cohort_id}",
        {"mentor": pair.mentor.pk, "mentee": pair.mentee.pk, "preview": "1"},
    )
    pages.append(("match preview", preview.content.decode()))

    shown = [
        (secret, url)
        for url, content in pages
        for secret in _secrets_for(codename)
        # Background groups are reference data staff keep: their own list names them.
        if secret in content and not (secret == GROUP_NAME and "backgroundgroup" in url)
    ]
    assert shown == []


def test_staff_with_the_permissions_do_see_what_the_others_may_not(client, world):
    """The walks above would pass on pages that show nothing: these pages do show the values
    to staff trusted with them (the pair's words in the workspace, not in admin)."""
    client.force_login(staff_without("no-such-permission"))
    pair = world["pair"]
    match_page = client.get(reverse("admin:matching_match_change", args=[pair.pk])).content.decode()
    assert PRIVATE_REASON in match_page and str(FULL_SCORE) in match_page
    workspace = client.get(reverse("meetings:workspace", args=[pair.pk])).content.decode()
    assert WORKSPACE_SECRETS["goal_title"] in workspace


def test_a_search_over_a_private_field_is_dropped_for_staff_without_the_permission(world):
    """Should a search ever name a private field, it searches it only for staff trusted with
    it; the walk above proves no search finds private text today."""

    class NotesSearchingMeetingAdmin(MeetingAdmin):
        search_fields = ["match__mentee__member__email", "notes", "match__goals__title"]

    model_admin = NotesSearchingMeetingAdmin(Meeting, admin.site)
    request = RequestFactory().get("/")
    request.user = staff_without(WORKSPACE)
    assert model_admin.get_search_fields(request) == ["match__mentee__member__email"]
    request.user = staff_without("no-such-permission")
    assert model_admin.get_search_fields(request) == NotesSearchingMeetingAdmin.search_fields


def test_every_filter_a_change_list_offers_still_filters(admin_client, world):
    """Limiting lookups to the offered ones keeps every offered one: each choice of each list
    filter, and the date hierarchy, answers 200."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in PROJECT_APPS:
            continue
        url = _changelist_url(model)
        changelist = admin_client.get(url).context_data["cl"]
        for spec in changelist.filter_specs:
            for choice in spec.choices(changelist):
                response = admin_client.get(url + choice["query_string"])
                assert response.status_code == 200, (url, choice["query_string"])
        if model_admin.date_hierarchy:
            response = admin_client.get(url, {f"{model_admin.date_hierarchy}__year": "2026"})
            assert response.status_code == 200, url


def test_a_lookup_the_list_does_not_offer_is_refused_whatever_its_value(admin_client, world):
    url = reverse("admin:meetings_meeting_changelist")
    for value in (WORKSPACE_SECRETS["notes"][:5], MISS):
        assert admin_client.get(url, {"notes__startswith": value}).status_code == 400
    url = reverse("admin:applications_memberprofile_changelist")
    assert admin_client.get(url, {"use_background_in_matching__exact": "1"}).status_code == 400
    assert admin_client.get(url, {"career_stage__id__exact": "1"}).status_code == 200
