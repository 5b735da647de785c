from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from applications.models import Application, Role
from applications.views import _get_application_for_user

from .reasons import public_reasons
from .selectors import released_match_for


@login_required
def my_match(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's match for one application, once it has been released to them."""
    application = _get_application_for_user(request, pk)
    match = None
    if application.status == Application.Status.ACCEPTED:
        match = released_match_for(application)
    partner = None
    if match is not None:
        partner = match.mentee if application.role == Role.MENTOR else match.mentor
    return render(
        request,
        "matching/my_match.html",
        {
            "application": application,
            "cohort": application.cohort,
            "match": match,
            "partner": partner,
            "partner_profile": getattr(partner.member, "profile", None) if partner else None,
            "partner_role": "mentee" if application.role == Role.MENTOR else "mentor",
            # Whether a partner self-identifies is theirs to tell, not the program's.
            "reasons": public_reasons(match.reasons) if match else [],
        },
    )
