"""The retention policy: on each cohort's retention date its private parts are removed.

What goes: the free text members wrote (meeting agendas, topics, next steps and notes; goal and
step text; goal comments; expectations), confidential survey free text, and the
self-identification used for the cohort. What stays: every row, with its dates, durations,
formats, statuses and counts, and the certificates, so the hour ledger, the program report and
certificate verification read the same afterwards. Text is blanked, never a row deleted: a
deleted goal comment would change the comment counts reports show.

Safe to run twice and on demand: each removal is an update of the rows that still hold text,
so a second run finds nothing, and what it counts is exactly what a first run would remove
(`--dry-run` only counts).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from applications.models import Application, MemberProfile
from cohorts.models import Cohort

from .models import RetentionPurge

# A goal or a step needs a title to be listed in the workspace; this one says why it has no other.
REMOVED_TITLE = "(removed after the retention date)"


@dataclass(frozen=True)
class PrivateText:
    """Text fields of one model that the policy blanks: `kind` names the count in the record,
    `cohort_path` leads from the model to its cohort, `fields` maps each field to what it
    becomes."""

    kind: str
    model: str
    cohort_path: str
    fields: dict[str, str]
    only: dict = field(default_factory=dict)


# The private text of a cohort.
PRIVATE_TEXT: list[PrivateText] = [
    PrivateText("meeting_agendas", "meetings.Meeting", "match__cohort", {"agenda": ""}),
    PrivateText("meeting_links", "meetings.Meeting", "match__cohort", {"video_link": ""}),
    PrivateText("meeting_topics", "meetings.Meeting", "match__cohort", {"topics": ""}),
    PrivateText("meeting_notes", "meetings.Meeting", "match__cohort", {"notes": ""}),
    PrivateText("meeting_next_steps", "meetings.Meeting", "match__cohort", {"next_steps": ""}),
    PrivateText(
        "goal_text",
        "meetings.Goal",
        "match__cohort",
        {"title": REMOVED_TITLE, "description": ""},
    ),
    PrivateText(
        "action_item_text", "meetings.ActionItem", "goal__match__cohort", {"title": REMOVED_TITLE}
    ),
    PrivateText("goal_comments", "meetings.GoalComment", "goal__match__cohort", {"body": ""}),
    PrivateText("concern_text", "meetings.PairConcern", "match__cohort", {"words": ""}),
    PrivateText(
        "expectations_text",
        "meetings.Expectations",
        "match__cohort",
        {"meeting_plan": "", "communication": "", "other": ""},
    ),
    PrivateText(
        "confidential_survey_text",
        "outcomes.Answer",
        "response__survey__cohort",
        {"text": ""},
        only={"response__survey__privacy": "confidential"},
    ),
]


def cohorts_due(today: date | None = None) -> QuerySet[Cohort]:
    """Cohorts whose retention date has come: their own date, else the default after the
    period ends."""
    today = today or timezone.localdate()
    default_end = today - timedelta(days=settings.RETENTION_DAYS)
    return Cohort.objects.filter(
        Q(retention_date__lte=today) | Q(retention_date__isnull=True, period_end__lte=default_end)
    ).order_by("period_end", "pk")


def policy_text(cohort: Cohort) -> str:
    if cohort.retention_date is not None:
        return "the cohort's own retention date"
    return f"default: {settings.RETENTION_DAYS} days after the period ends"


def _text_rows(spec: PrivateText, cohort: Cohort) -> QuerySet:
    model = apps.get_model(spec.model)
    holds_text = Q()
    for name, blank in spec.fields.items():
        holds_text |= ~Q(**{name: blank})
    return model.objects.filter(**{spec.cohort_path: cohort}, **spec.only).filter(holds_text)


def _snapshots_with_background(cohort: Cohort) -> list[Application]:
    return [
        application
        for application in Application.objects.for_cohort(cohort).only("pk", "profile_snapshot")
        if (application.profile_snapshot or {}).get("background_groups")
    ]


def _profiles_with_background(cohort: Cohort, today: date) -> QuerySet[MemberProfile]:
    """The cohort's members' profiles holding self-identification, except those of members
    who also applied to a cohort not yet due: that cohort still uses it."""
    members = Application.objects.for_cohort(cohort).values("member")
    still_used = (
        Application.objects.filter(member__in=members)
        .exclude(cohort__in=cohorts_due(today))
        .values("member")
    )
    through = MemberProfile.background_groups.through
    holding = through.objects.values("memberprofile")
    return MemberProfile.objects.filter(user__in=members, pk__in=holding).exclude(
        user__in=still_used
    )


def cohort_private_counts(cohort: Cohort, today: date) -> dict[str, int]:
    """What a purge of `cohort` would remove now, by kind."""
    counts = {spec.kind: _text_rows(spec, cohort).count() for spec in PRIVATE_TEXT}
    counts["application_self_identification"] = len(_snapshots_with_background(cohort))
    counts["profile_self_identification"] = _profiles_with_background(cohort, today).count()
    return counts


def cohort_purge(*, cohort_id: int, trigger: str, today: date | None = None) -> dict[str, int]:
    """Remove the private parts of one due cohort; returns what was removed, by kind.

    The cohort row is locked so that two runs at once (the beat job and the command) take
    turns: the second then finds nothing left and records nothing new.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        cohort = Cohort.objects.select_for_update().get(pk=cohort_id)
        if cohort.retention_due_on > today:
            return {}
        removed: dict[str, int] = {}
        for spec in PRIVATE_TEXT:
            removed[spec.kind] = removed.get(spec.kind, 0) + _text_rows(spec, cohort).update(
                **spec.fields
            )
        snapshots = _snapshots_with_background(cohort)
        for application in snapshots:
            application.profile_snapshot = {
                **application.profile_snapshot,
                "background_groups": [],
            }
        Application.objects.bulk_update(snapshots, ["profile_snapshot"])
        removed["application_self_identification"] = len(snapshots)
        profiles = list(_profiles_with_background(cohort, today).values_list("pk", flat=True))
        MemberProfile.background_groups.through.objects.filter(memberprofile__in=profiles).delete()
        MemberProfile.objects.filter(pk__in=profiles).update(use_background_in_matching=False)
        removed["profile_self_identification"] = len(profiles)

        # The first run is recorded even when there was nothing to remove: the cohort's page
        # then says its private data is gone. Later runs only when they removed something.
        if any(removed.values()) or not cohort.retention_purges.exists():
            RetentionPurge.objects.create(
                cohort=cohort,
                due_on=cohort.retention_due_on,
                ran_at=timezone.now(),
                policy=policy_text(cohort),
                removed=removed,
                trigger=trigger,
            )
    return removed


def purge_expired_data(*, dry_run: bool, trigger: str, today: date | None = None) -> dict:
    """Every due cohort, purged (or only counted): the command's JSON shape."""
    today = today or timezone.localdate()
    result = []
    for cohort in cohorts_due(today):
        if dry_run:
            removed = cohort_private_counts(cohort, today)
        else:
            removed = cohort_purge(cohort_id=cohort.pk, trigger=trigger, today=today)
        result.append(
            {"cohort": cohort.slug, "due": cohort.retention_due_on.isoformat(), "removed": removed}
        )
    return {"dry_run": dry_run, "cohorts": result}
