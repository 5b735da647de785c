"""Members answer surveys: their list of surveys, and one survey's form.

A member sees only their own invitations (anyone else's: 404) and only their own answers; the
partner's never appear anywhere. An anonymous answer can be changed only from the browser that
holds its edit token (a signed cookie): the server has no way from the person to the answers.
"""

from datetime import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from core.text import day_text, moment_text

from ..models import Invitation, Response
from ..selectors import invitations_for_user
from ..survey_forms import SurveyForm, field_name, initial_from
from ..surveys import SurveyError, anonymous_response_for, invitation_is_open, survey_response_save

EDIT_COOKIE_SALT = "outcomes.survey-edit"


def _edit_cookie(invitation: Invitation) -> str:
    return f"survey_edit_{invitation.pk}"


def _get_invitation_for_user(request: HttpRequest, pk: int, now: datetime) -> Invitation:
    return get_object_or_404(
        Invitation.objects.select_related("survey__cohort", "meeting"),
        pk=pk,
        user=request.user,
        opens_at__lte=now,
    )


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = [
        {
            "invitation": invitation,
            "is_open": invitation_is_open(invitation, now),
            "closes_label": moment_text(invitation.closes_at),
            "meeting_label": day_text(invitation.meeting.starts_at) if invitation.meeting else "",
        }
        for invitation in invitations_for_user(request.user, now=now)
    ]
    return render(
        request,
        "outcomes/survey_list.html",
        {
            "open": [row for row in rows if row["is_open"]],
            "closed": [row for row in rows if not row["is_open"]],
        },
    )


def _own_response(request: HttpRequest, invitation: Invitation) -> Response | None:
    if invitation.survey.is_anonymous:
        token = request.get_signed_cookie(_edit_cookie(invitation), None, salt=EDIT_COOKIE_SALT)
        return anonymous_response_for(invitation, token)
    return Response.objects.filter(invitation=invitation).first()


@login_required
def survey_answer(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    invitation = _get_invitation_for_user(request, pk, now)
    survey = invitation.survey
    questions = list(survey.questions.all())
    response = _own_response(request, invitation)
    is_open = invitation_is_open(invitation, now)
    # Answered anonymously from another browser (or with cookies cleared): nothing here can
    # find those answers, by design.
    locked = survey.is_anonymous and invitation.responded_at is not None and response is None
    form = None
    if is_open and not locked:
        initial = (
            initial_from(list(response.answers.select_related("question"))) if response else {}
        )
        if request.method == "POST":
            form = SurveyForm(request.POST, questions=questions)
            if form.is_valid():
                token = request.get_signed_cookie(
                    _edit_cookie(invitation), None, salt=EDIT_COOKIE_SALT
                )
                try:
                    saved = survey_response_save(
                        invitation_id=invitation.pk, answers=form.answers(), edit_token=token
                    )
                except SurveyError as exc:
                    form.add_error(None, str(exc))
                else:
                    messages.success(
                        request,
                        f"Thank you: your answers are saved. You can change them until "
                        f"{moment_text(invitation.closes_at)}.",
                    )
                    redirect_to = redirect("outcomes:survey_answer", pk=invitation.pk)
                    if saved.edit_token:
                        redirect_to.set_signed_cookie(
                            _edit_cookie(invitation),
                            saved.edit_token,
                            salt=EDIT_COOKIE_SALT,
                            expires=invitation.closes_at,
                            httponly=True,
                            secure=settings.SESSION_COOKIE_SECURE,
                            samesite="Lax",
                        )
                    return redirect_to
            form.mark_errors()
        else:
            form = SurveyForm(initial=initial, questions=questions)
    return render(
        request,
        "outcomes/survey_answer.html",
        {
            "invitation": invitation,
            "survey": survey,
            "form": form,
            "fields": [(form[field_name(q)], q) for q in questions] if form else [],
            "is_open": is_open,
            "locked": locked,
            "answered": invitation.responded_at is not None,
            "closes_label": moment_text(invitation.closes_at),
            "meeting_label": day_text(invitation.meeting.starts_at) if invitation.meeting else "",
        },
    )
