"""The member's pairs, the workspace page of a pair, and the pair's expectations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.forms.models import model_to_dict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from matching.models import Match
from matching.reasons import public_reasons

from .. import selectors, services
from ..forms import ExpectationsForm
from ..models import Expectations, Goal, Meeting
from ..services import WorkspaceError
from .common import STAFF_VIEWER, form_page, get_pair_for_user, pair_context, refused, workspace_url

RECENT_MEETINGS = 5
# Read with the pair: the partner's card shows a profile, and the expectations are the pair's.
WORKSPACE_RELATED = ("mentor__member__profile", "mentee__member__profile", "expectations")


@login_required
def workspace_list(request: HttpRequest) -> HttpResponse:
    """The member's pairs: one for most, several for a mentor with more than one mentee."""
    pairs = list(
        Match.objects.released()
        .for_member(request.user)
        .with_people()
        .order_by("-cohort__period_start", "pk")
    )
    if len(pairs) == 1:
        return redirect(workspace_url(pairs[0]))
    ledgers = selectors.ledgers_for(pairs)
    rows = []
    for pair in pairs:
        role = selectors.member_role(pair, request.user)
        partner = pair.mentor if role == "mentee" else pair.mentee
        rows.append({"match": pair, "role": role, "partner": partner, "ledger": ledgers[pair.pk]})
    return render(request, "meetings/workspace_list.html", {"rows": rows})


@login_required
def workspace(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, related=WORKSPACE_RELATED)
    now = timezone.now()
    # The pair's meetings in one query (a pair holds a few dozen at most), split here into the
    # latest held, the ones ahead, those awaiting the member's confirmation, and the ledger.
    meetings = selectors.attach_people(
        match, Meeting.objects.for_match(match).exclude(status=Meeting.Status.CANCELLED)
    )
    held = [m for m in meetings if m.status == Meeting.Status.HELD]
    upcoming = [
        m for m in reversed(meetings) if m.status == Meeting.Status.PLANNED and m.starts_at >= now
    ]
    awaiting = []
    if role != STAFF_VIEWER:
        awaiting = [
            m
            for m in reversed(held)
            if m.confirmed_at is None and m.logged_by_id != request.user.pk
        ]
    goals = list(Goal.objects.for_match(match).with_counts())
    pair = pair_context(match, role)
    context = {
        **pair,
        "partner_profile": getattr(pair["partner"].member, "profile", None),
        "ledger": selectors.ledger_of_meetings(match, held, now=now),
        "next_meeting": upcoming[0] if upcoming else None,
        "planned_count": len(upcoming),
        "recent_meetings": held[:RECENT_MEETINGS],
        "awaiting": awaiting,
        "expectations": selectors.pair_expectations(match),
        "goals": goals,
        "reasons": public_reasons(match.reasons),
        "resources": selectors.resources_for(match, role),
    }
    return render(request, "meetings/workspace.html", context)


# ---------------------------------------------------------------------------------------------
# Expectations
# ---------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def expectations_edit(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    if role != "mentee":
        raise Http404("Only the mentee writes the expectations.")
    current = Expectations.objects.filter(match=match).first()
    # Initial values, not the instance: the form must not change the row the service compares.
    initial = model_to_dict(current, ExpectationsForm._meta.fields) if current else {}
    form = ExpectationsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.expectations_save(match=match, user=request.user, **form.cleaned_data)
        except WorkspaceError as exc:
            refused(request, exc, form)
        else:
            messages.success(
                request, "Expectations saved. Your mentor is asked to acknowledge them."
            )
            return redirect(workspace_url(match) + "#expectations")
    return form_page(
        request,
        match,
        role,
        form,
        title="Your expectations",
        intro="Agree with your mentor how you work together. You write them; your mentor "
        "reads and acknowledges them. Changing them asks your mentor to acknowledge again.",
        submit="Save expectations",
    )


@login_required
@require_POST
def expectations_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    match, _ = get_pair_for_user(request, pk, write=True)
    try:
        services.expectations_acknowledge(match=match, user=request.user)
    except WorkspaceError as exc:
        refused(request, exc)
    else:
        messages.success(request, "You acknowledged the expectations.")
    return redirect(workspace_url(match) + "#expectations")
