"""The cohort list's action that invites a cohort's waitlist to the next cohort (see
`matching.carry_over`)."""

from django.contrib import admin, messages
from django.http import HttpRequest

from cohorts.models import Cohort

from ..carry_over import cohort_invite_to_next
from ..exceptions import MatchingError

INVITE_PERMISSION = "applications.change_application"


def invite_to_next(model_admin: admin.ModelAdmin, request: HttpRequest, cohorts: list[Cohort]):
    for cohort in cohorts:
        try:
            result = cohort_invite_to_next(cohort=cohort)
        except MatchingError as exc:
            model_admin.message_user(request, str(exc), messages.ERROR)
            continue
        invited = len(result.drafts) + len(result.marked)
        text = (
            f"{cohort.name}: {invited} applicant{'s' if invited != 1 else ''} invited to "
            f"{result.next_cohort.name} and emailed ({len(result.drafts)} with a pre-filled "
            f"draft, {len(result.marked)} who had applied already)."
        )
        if result.already:
            text += f" {result.already} had been invited before and were left as they are."
        model_admin.message_user(request, text, messages.SUCCESS)
