"""What the matching admin pages share: page helpers, staff decisions on proposals, and what a
staff member may read of a pair's score (the privacy of the shared-background part)."""

import re
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib import admin, messages
from django.db.models import DecimalField, F, QuerySet, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse

from accounts import admin_privacy
from applications.admin.common import SELF_IDENTIFICATION_PERMISSION
from cohorts.models import Cohort
from core.validators import id_or_none

from ..decisions import matches_approve, matches_reject
from ..exceptions import MatchingError
from ..models import Match
from ..reasons import public_reasons
from ..scoring import COMPONENT_LABELS, COMPONENTS

if TYPE_CHECKING:
    from ..engine import Proposal

# A pair's reasons and score components carry what self-identification contributed.
admin_privacy.private_fields(SELF_IDENTIFICATION_PERMISSION, Match, ["reasons", "components"])


def page_context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }


def cohort_from_query(request: HttpRequest) -> Cohort | None:
    pk = id_or_none(request.GET.get("cohort"))
    return get_object_or_404(Cohort, pk=pk) if pk else None


def choose_cohort(model_admin: admin.ModelAdmin, request: HttpRequest, *, title: str):
    """The first step of a per-cohort page: which cohort?"""
    return TemplateResponse(
        request,
        "admin/matching/matchrun/choose_cohort.html",
        page_context(
            model_admin,
            request,
            title=title,
            cohorts=Cohort.objects.not_finished().order_by("period_start"),
        ),
    )


def components_and_reasons(match: "Match | Proposal", user) -> tuple[list, list[str]]:
    """What a staff member may read of a pair's score: the shared-background part and its
    reason only with the permission to see self-identification."""
    return shown_parts(match.components, match.reasons, user)


def shown_parts(components: dict, reasons: list[str], user) -> tuple[list, list[str]]:
    """`components_and_reasons` from a pair's two columns (a list read with `values()`)."""
    private = not user.has_perm(SELF_IDENTIFICATION_PERMISSION)
    shown = [
        (COMPONENT_LABELS[name], components.get(name, {}))
        for name in COMPONENTS
        if components.get(name, {}).get("max") and not (private and name == "shared_background")
    ]
    return shown, public_reasons(reasons) if private else list(reasons)


# Scores and the shared-background component
# ---------------------------------------------
# Staff without the self-identification permission are not shown the shared-background part of
# a score; if they were shown the total, the total minus the parts they see would be exactly that
# part. So everything they see of scores leaves it out: each pair's score, its order in lists,
# a run's totals and the best scores quoted in unmatched reasons.

_SCORE = DecimalField(max_digits=5, decimal_places=2)
_BEST_SCORES = re.compile(r" ?\(the best scores [0-9.]+\)")
_CAPACITY_DETAIL = re.compile(r"^(capacity used by better-fitting pairs):.*$")


def hundredths(value) -> Decimal | None:
    # Database arithmetic on decimals comes back as 110 or 55.0 on SQLite: show 110.00.
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def sees_background(user) -> bool:
    return user.has_perm(SELF_IDENTIFICATION_PERMISSION)


def score_shown_to(match: "Match | Proposal", user) -> Decimal:
    """The score `user` may read: without the shared-background points unless they may see them."""
    score = Decimal(str(match.score)).quantize(Decimal("0.01"))
    if sees_background(user):
        return score
    points = (match.components.get("shared_background") or {}).get("points") or 0
    return score - Decimal(str(points)).quantize(Decimal("0.01"))


def shown_score_expression(user):
    """The score `user` may read, as `score_shown_to` computes it, in the database."""
    if sees_background(user):
        return F("score")
    background = Cast(KT("components__shared_background__points"), _SCORE)
    return F("score") - Coalesce(background, Value(Decimal(0)), output_field=_SCORE)


def with_shown_score(queryset: QuerySet, user) -> QuerySet:
    """`shown_score` on each match, as `score_shown_to` reads it, to order by in the database."""
    return queryset.annotate(shown_score=shown_score_expression(user))


def shown_unmatched_reason(reason: str, user) -> str:
    """An unmatched applicant's reason without the scores and counts it quotes: they are of
    pairs whose parts nobody is shown, shared-background points included."""
    if sees_background(user):
        return reason
    return _CAPACITY_DETAIL.sub(r"\1", _BEST_SCORES.sub("", reason))


def decide(request: HttpRequest, match_ids: list[int], decision: str) -> bool:
    """Approve or reject, putting the outcome in a message. True when it went through."""
    try:
        if decision == "approve":
            changed = matches_approve(match_ids=match_ids, approved_by=request.user)
            text = f"{len(changed)} match{'es' if len(changed) != 1 else ''} approved."
            text += " Members see them once notifications are released."
        else:
            changed = matches_reject(match_ids=match_ids, rejected_by=request.user)
            text = (
                f"{len(changed)} proposal{'s' if len(changed) != 1 else ''} rejected; "
                "rejected pairs are not proposed again."
            )
    except MatchingError as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, text)
    return True
