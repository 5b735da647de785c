"""Ending a pair in trouble and rematching the member who stays: the best available partners
with free places, scored as a run scores them, and the new pair released at once."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse

from applications.models import Application
from core.validators import id_or_none
from matching.admin.common import components_and_reasons, score_shown_to
from matching.exceptions import MatchingError
from matching.models import Match
from matching.rematch import rematch_candidates

from ..models import Pair, PairConcern
from ..services.concerns import pair_rematch
from .common import admin_context

# Ending a pair and making one: the permissions of the match's End page and of a hand-made match.
REMATCH_PERMISSIONS = ("matching.change_match", "matching.add_match")


class RematchForm(forms.Form):
    partner = forms.TypedChoiceField(coerce=int, widget=forms.RadioSelect, label="New partner")
    reason = forms.CharField(
        label="Why the pair ends",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Kept on record with the ended pair; the members are not shown it.",
    )

    def __init__(self, *args, candidates: list, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [(c.application_id, "") for c in candidates]
        self.fields["partner"].error_messages["required"] = "Choose the new partner."


def _default_reason(pair: Match, concerns: list[PairConcern]) -> str:
    if not concerns:
        return ""
    concern = concerns[0]
    return f"{concern.raised_by} told the office: {concern.get_kind_display().lower()}."


def _staying(request: HttpRequest, pair: Match, concerns: list[PairConcern]) -> Application | None:
    """The member who stays: chosen on the page, or the one who told the office."""
    people = {pair.mentor_id: pair.mentor, pair.mentee_id: pair.mentee}
    chosen = id_or_none(request.GET.get("stays"))
    if chosen in people:
        return people[chosen]
    raised = {c.raised_by_id for c in concerns}
    told = [a for a in people.values() if a.member_id in raised]
    return told[0] if len(told) == 1 else None


def rematch_view(model_admin: admin.ModelAdmin, request: HttpRequest, pk: int) -> HttpResponse:
    if not request.user.has_perms(REMATCH_PERMISSIONS):
        raise PermissionDenied
    pair = get_object_or_404(Pair.objects.released().with_people(), pk=pk)
    concerns = list(PairConcern.objects.for_match(pair).unresolved().select_related("raised_by"))
    staying = _staying(request, pair, concerns)
    candidates = rematch_candidates(match=pair, staying=staying) if staying else []
    form = RematchForm(
        request.POST or None,
        candidates=candidates,
        initial={"reason": _default_reason(pair, concerns)},
    )
    if request.method == "POST" and staying is not None and form.is_valid():
        partner = next(
            c.application for c in candidates if c.application_id == form.cleaned_data["partner"]
        )
        try:
            new = pair_rematch(
                match=pair,
                staying=staying,
                partner=partner,
                rematched_by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except MatchingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{new} are paired and told so by email; their hours count from today. The "
                "pair before it has ended, with its hours kept on its record, and its members "
                "are sent a kind note.",
            )
            return redirect("admin:meetings_pair_change", new.pk)
    user = request.user
    rows = []
    for candidate in candidates:
        _, reasons = components_and_reasons(candidate, user)
        rows.append(
            {
                "candidate": candidate,
                "score": score_shown_to(candidate, user),
                "reasons": reasons,
                "checked": str(candidate.application_id) == str(form["partner"].value()),
            }
        )
    here = reverse("admin:meetings_pair_rematch", args=[pair.pk])
    return TemplateResponse(
        request,
        "admin/meetings/pair/rematch.html",
        admin_context(
            model_admin,
            request,
            title=f"End and rematch: {pair}",
            pair=pair,
            concerns=concerns,
            staying=staying,
            choices=[
                (pair.mentee, "mentee", f"{here}?stays={pair.mentee_id}"),
                (pair.mentor, "mentor", f"{here}?stays={pair.mentor_id}"),
            ],
            rows=rows,
            form=form,
            action=f"{here}?stays={staying.pk}" if staying else here,
            pair_url=reverse("admin:meetings_pair_change", args=[pair.pk]),
        ),
    )
