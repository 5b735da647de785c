"""A member's own data, as one JSON document ("Download my data").

What is in it: everything the program holds about the member, and what the member already sees
in their own pages. A pair's workspace is shared by its two members (the meeting log, its notes
included, is written for both and shown to both), so the export holds each pair's workspace as
the member sees it. What is not in it: anything of anyone else that the member cannot see: the
partner's email, profile, applications, self-identification, survey answers and reports; staff's
notes and decisions' reasons; the access record. The partner appears by name only.

The queries are a fixed number whatever the member's history (prefetching, no per-row reads).
"""

from datetime import date, datetime

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.db.models import Prefetch, Q

from applications.models import Application, MemberProfile, Membership
from matching.models import Match
from meetings.models import Goal, Meeting, PairConcern
from meetings.selectors import ledgers_for
from notifications.models import Notification
from outcomes.models import Certificate, Invitation


def _value(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _row(obj, names: list[str]) -> dict:
    return {name: _value(getattr(obj, name)) for name in names}


def _account(user) -> dict:
    return {
        **_row(user, ["email", "first_name", "last_name", "date_joined", "last_login"]),
        "email_addresses": [
            _row(address, ["email", "verified", "primary"])
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "sign_in_providers": [
            account.provider for account in SocialAccount.objects.filter(user=user).order_by("pk")
        ],
    }


def _membership(user) -> dict | None:
    membership = Membership.objects.filter(user=user).first()
    if membership is None:
        return None
    return _row(
        membership,
        ["member_number", "email", "first_name", "last_name", "expires_on", "linked_at"],
    )


def _names(items) -> list[str]:
    return [str(item) for item in items]


def _profile(user) -> dict | None:
    profile = (
        MemberProfile.objects.filter(user=user)
        .select_related("location", "career_stage")
        .prefetch_related("practice_areas", "interests", "background_groups")
        .first()
    )
    if profile is None:
        return None
    return {
        **_row(
            profile,
            [
                "pronouns",
                "credentials",
                "institution",
                "time_zone",
                "bio",
                "use_background_in_matching",
                "updated_at",
            ],
        ),
        "state": str(profile.location) if profile.location else None,
        "career_stage": str(profile.career_stage) if profile.career_stage else None,
        "practice_areas": _names(profile.practice_areas.all()),
        "interests": _names(profile.interests.all()),
        "self_identification": _names(profile.background_groups.all()),
    }


APPLICATION_FIELDS = [
    "role",
    "status",
    "goals",
    "region_importance",
    "background_importance",
    "interests_importance",
    "wants_shared_background",
    "offer",
    "mentee_capacity",
    "availability",
    "agrees_to_commitment",
    "agrees_to_confidentiality",
    "profile_snapshot",
    "created_at",
    "submitted_at",
    "decided_at",
]


def _applications(user) -> list[dict]:
    applications = (
        Application.objects.for_member(user)
        .select_related("cohort")
        .prefetch_related("desired_practice_areas")
        .order_by("created_at", "pk")
    )
    return [
        {
            "cohort": application.cohort.name,
            **_row(application, APPLICATION_FIELDS),
            "desired_practice_areas": _names(application.desired_practice_areas.all()),
        }
        for application in applications
    ]


MEETING_FIELDS = [
    "status",
    "starts_at",
    "duration_minutes",
    "format",
    "held_on",
    "agenda",
    "video_link",
    "topics",
    "notes",
    "next_steps",
    "logged_at",
    "confirmed_at",
]


def _who(user_id: int | None, user, partner_name: str) -> str:
    """Who wrote something in a pair's workspace, as the member sees it."""
    if user_id is None:
        return "unknown"
    return "you" if user_id == user.pk else partner_name


def _pairs(user) -> list[dict]:
    # Released pairs only: a match the member has not been told about is not theirs to see.
    matches = list(
        Match.objects.released()
        .for_member(user)
        .with_people()
        .select_related("expectations")
        .prefetch_related(
            Prefetch("meetings", queryset=Meeting.objects.order_by("starts_at", "pk")),
            Prefetch(
                "goals",
                queryset=Goal.objects.prefetch_related("action_items", "comments"),
            ),
        )
        .order_by("cohort__period_start", "pk")
    )
    ledgers = ledgers_for(matches)
    pairs = []
    for match in matches:
        role = "mentee" if match.mentee.member_id == user.pk else "mentor"
        partner = match.mentor.member if role == "mentee" else match.mentee.member
        partner_name = partner.get_full_name() or "your partner"
        expectations = getattr(match, "expectations", None)
        ledger = ledgers.get(match.pk)
        pairs.append(
            {
                "cohort": match.cohort.name,
                "your_role": role,
                "partner_name": partner_name,
                "status": match.status,
                "released_at": _value(match.notified_at),
                "ended_at": _value(match.ended_at),
                "confirmed_minutes": ledger.total_minutes if ledger else None,
                "expectations": _row(
                    expectations,
                    ["meeting_plan", "communication", "other", "updated_at", "acknowledged_at"],
                )
                if expectations
                else None,
                "goals": [
                    {
                        **_row(goal, ["title", "description", "target_date", "status"]),
                        "steps": [
                            _row(item, ["title", "due_date", "done_at"])
                            for item in goal.action_items.all()
                        ],
                        "comments": [
                            {
                                "by": _who(comment.author_id, user, partner_name),
                                **_row(comment, ["body", "created_at"]),
                            }
                            for comment in goal.comments.all()
                        ],
                    }
                    for goal in match.goals.all()
                ],
                "meetings": [
                    {
                        **_row(meeting, MEETING_FIELDS),
                        "logged_by": _who(meeting.logged_by_id, user, partner_name)
                        if meeting.logged_at
                        else None,
                    }
                    for meeting in match.meetings.all()
                ],
            }
        )
    return pairs


def _surveys(user) -> list[dict]:
    """The member's survey invitations, with their answers to confidential surveys (an
    anonymous answer is tied to nobody, so it cannot be found, nor exported)."""
    invitations = (
        Invitation.objects.filter(user=user)
        .select_related("survey__cohort", "response")
        .prefetch_related("response__answers__question")
        .order_by("opens_at", "pk")
    )
    result = []
    for invitation in invitations:
        survey = invitation.survey
        response = getattr(invitation, "response", None)
        result.append(
            {
                "survey": survey.title,
                "cohort": survey.cohort.name,
                "privacy": survey.privacy,
                "opens_at": _value(invitation.opens_at),
                "responded_at": _value(invitation.responded_at),
                "answers": [
                    {
                        "question": answer.question.text,
                        "number": answer.number,
                        "choices": answer.choices,
                        "text": answer.text,
                    }
                    for answer in response.answers.all()
                ]
                if response is not None
                else [],
            }
        )
    return result


def _certificates(user) -> list[dict]:
    return [
        _row(
            certificate,
            [
                "code",
                "role",
                "name",
                "cohort_name",
                "period_start",
                "period_end",
                "confirmed_minutes",
                "meetings",
                "issued_at",
                "revoked_at",
            ],
        )
        for certificate in Certificate.objects.filter(user=user).order_by("issued_at", "pk")
    ]


def _emails(user) -> list[dict]:
    notifications = Notification.objects.filter(Q(recipient=user)).order_by("created_at", "pk")
    return [
        _row(notification, ["kind", "to_email", "status", "created_at", "sent_at", "context"])
        for notification in notifications
    ]


def _concerns(user) -> list[dict]:
    """What the member told the office about their pairs (only staff read it otherwise)."""
    return [
        {"pair": concern.match_id, **_row(concern, ["kind", "words", "created_at", "resolved_at"])}
        for concern in PairConcern.objects.filter(raised_by=user).order_by("pk")
    ]


def member_data(user) -> dict:
    """Everything the program holds about `user`, JSON-ready."""
    data = {
        "account": _account(user),
        "membership": _membership(user),
        "profile": _profile(user),
        "applications": _applications(user),
        "pairs": _pairs(user),
        "surveys": _surveys(user),
        "certificates": _certificates(user),
        "told_the_office": _concerns(user),
        "emails": _emails(user),
    }
    return data
