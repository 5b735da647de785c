"""A member tells the program office that their pair is in trouble."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ..forms import ConcernForm
from ..models import PairConcern
from ..services import WorkspaceError
from ..services.concerns import concern_raise
from .common import STAFF_VIEWER, get_pair_for_user, pair_context, refused


@login_required
@require_http_methods(["GET", "POST"])
def concern(request: HttpRequest, pk: int) -> HttpResponse:
    match, role = get_pair_for_user(request, pk, write=True)
    if role == STAFF_VIEWER:
        raise Http404("Only the pair's members tell the office about it.")
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            concern_raise(match=match, user=request.user, **form.cleaned_data)
        except WorkspaceError as exc:
            refused(request, exc, form)
        else:
            messages.success(request, "Thank you: the program office has your message.")
            return redirect(reverse("meetings:concern", kwargs={"pk": match.pk}))
    # What this member told the office before about this pair; never the partner's messages.
    sent = list(PairConcern.objects.for_match(match).filter(raised_by=request.user))
    return render(
        request,
        "meetings/concern.html",
        {**pair_context(match, role), "form": form, "sent": sent},
    )
