from allauth.account.adapter import get_adapter as get_account_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts.forms import NameForm
from cohorts.models import Cohort

from .forms import APPLICATION_FORMS, MembershipLinkForm, ProfileForm
from .membership import (
    MembershipCheckThrottled,
    MembershipError,
    membership_check_consume,
    membership_is_current,
    membership_link,
)
from .models import Application, Interest, MemberProfile, Membership, PracticeArea, Role
from .selectors import application_closed_reason, profile_missing_for_submit
from .services import (
    ApplicationError,
    application_decide,
    application_reopen,
    application_save,
    application_withdraw,
    profile_for,
)


def _get_application_for_user(request: HttpRequest, pk: int) -> Application:
    # Someone else's application is "not found", never "forbidden": it does not exist for them.
    return get_object_or_404(
        Application.objects.select_related("cohort"), pk=pk, member=request.user
    )


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@login_required
@require_http_methods(["GET", "POST"])
def membership(request: HttpRequest) -> HttpResponse:
    current = Membership.objects.filter(user=request.user).first()
    form = MembershipLinkForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            membership_check_consume(
                user=request.user, ip=get_account_adapter().get_client_ip(request)
            )
            membership_link(
                user=request.user,
                member_number=form.cleaned_data["member_number"],
                last_name=form.cleaned_data["last_name"],
            )
        except MembershipCheckThrottled as exc:
            form.add_error(None, str(exc))
            status = 429
        except MembershipError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Your membership is confirmed.")
            return redirect(_safe_next(request, "applications:profile"))
    return render(
        request,
        "applications/membership.html",
        {
            "form": form,
            "current": current,
            "is_current": current is not None and current.is_current_on(timezone.localdate()),
            "next": _safe_next(request, ""),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    member_profile = profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=member_profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your profile is saved.")
        return redirect(_safe_next(request, "applications:profile"))
    return _profile_page(request, form=form, name_form=NameForm(instance=request.user))


@login_required
@require_http_methods(["GET", "POST"])
def profile_name(request: HttpRequest) -> HttpResponse:
    """The name form at the top of the profile page, saved on its own.

    A name with errors comes back on the profile page, whose own form is then shown as saved.
    """
    if request.method == "GET":
        return redirect("applications:profile")
    name_form = NameForm(request.POST, instance=request.user)
    if name_form.is_valid():
        name_form.save()
        messages.success(request, "Your name is saved.")
        return redirect(_safe_next(request, "applications:profile"))
    form = ProfileForm(instance=profile_for(request.user))
    return _profile_page(request, form=form, name_form=name_form)


def _profile_page(request: HttpRequest, *, form: ProfileForm, name_form: NameForm):
    return render(
        request,
        "applications/profile.html",
        {"form": form, "name_form": name_form, "next": _safe_next(request, "")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str, role: str) -> HttpResponse:
    if role not in Role.values:
        raise Http404
    cohort = get_object_or_404(Cohort, slug=slug)
    context = {"cohort": cohort, "role": role, "role_label": Role(role).label}
    if not membership_is_current(user=request.user):
        return render(request, "applications/apply_not_member.html", context)

    existing = Application.objects.filter(cohort=cohort, member=request.user).first()
    if existing and not existing.is_editable_status:
        messages.info(request, f"Your application is {existing.get_status_display().lower()}.")
        return redirect(existing)
    form_class = APPLICATION_FORMS[role]
    if cohort.phase != Cohort.Phase.APPLICATIONS_OPEN:
        return _apply_closed(request, cohort, context, existing, form_class)
    if request.method == "POST":
        # No instance: the posted data goes to the service, which decides what may be saved.
        submit = request.POST.get("action") == "submit"
        was_submitted = existing is not None and existing.status == Application.Status.SUBMITTED
        form = form_class(request.POST, cohort=cohort, submitting=submit)
        if form.is_valid():
            try:
                application = application_save(
                    member=request.user,
                    cohort=cohort,
                    role=role,
                    fields=dict(form.cleaned_data),
                    submit=submit,
                )
            except ApplicationError as exc:
                form.add_error(None, str(exc))
            else:
                if was_submitted:
                    messages.success(
                        request,
                        "Your changes are saved to your submitted application; it stays "
                        "submitted. You can change it until applications close.",
                    )
                    return redirect(application)
                if submit:
                    messages.success(
                        request, "Your application is submitted. We have emailed you a receipt."
                    )
                    return redirect(application)
                messages.success(
                    request,
                    "Your draft is saved. You can come back to it any time before the deadline.",
                )
                return redirect("applications:apply", slug=cohort.slug, role=role)
    else:
        same_role = existing if existing and existing.role == role else None
        form = form_class(instance=same_role, cohort=cohort)

    # Reading only: an unsaved profile stands in for one the member has not filled in yet.
    member_profile = MemberProfile.objects.filter(user=request.user).first()
    context.update(
        {
            "form": form,
            "application": existing,
            "Status": Application.Status,
            "other_role": existing.get_role_display() if existing and existing.role != role else "",
            "profile_missing": profile_missing_for_submit(
                member_profile or MemberProfile(user=request.user)
            ),
        }
    )
    return render(request, "applications/apply.html", context)


def _apply_closed(request, cohort, context, existing, form_class) -> HttpResponse:
    """The apply page of a cohort not taking applications: no form to fill in, and what the
    member can do instead. A form posted anyway (a tab left open past the deadline) is refused,
    and what was typed is shown back, read only, so nothing is lost."""
    form = None
    refusal = None
    if request.method == "POST":
        refusal = application_closed_reason(cohort, existing, timezone.now())
        form = form_class(request.POST, cohort=cohort)
        for field in form.fields.values():
            # Not `field.disabled`, which would show the saved values instead of the typed ones.
            field.widget.attrs["disabled"] = True
    others = Cohort.objects.exclude(pk=cohort.pk)
    next_cohort = (
        others.open_for_applications().order_by("application_deadline").first()
        or others.upcoming().order_by("applications_open_at").first()
    )
    context.update(
        {
            "application": existing,
            "is_upcoming": cohort.phase == Cohort.Phase.UPCOMING,
            "refusal": refusal,
            "form": form,
            "next_cohort": next_cohort,
            "next_is_open": next_cohort is not None
            and next_cohort.phase == Cohort.Phase.APPLICATIONS_OPEN,
        }
    )
    return render(request, "applications/apply_closed.html", context)


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    applications = (
        Application.objects.for_member(request.user)
        .select_related("cohort")
        .order_by("-created_at")
    )
    open_cohorts = Cohort.objects.open_for_applications().exclude(applications__member=request.user)
    return render(
        request,
        "applications/my_applications.html",
        {
            "applications": applications,
            "open_cohorts": open_cohorts,
            "is_member": membership_is_current(user=request.user),
        },
    )


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    pairs_told = timezone.localdate() >= application.cohort.match_notification_date
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "cohort": application.cohort,
            "Status": Application.Status,
            "is_open": application.cohort.phase == Cohort.Phase.APPLICATIONS_OPEN,
            "pairs_told": pairs_told,
            # Once pairs are told, an accepted member leaves through the office (see the service).
            "can_withdraw": application.status
            not in {Application.Status.WITHDRAWN, Application.Status.DECLINED}
            and not (application.status == Application.Status.ACCEPTED and pairs_told),
            "can_reopen": application.status == Application.Status.WITHDRAWN
            and application.cohort.phase == Cohort.Phase.APPLICATIONS_OPEN,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    if request.method == "POST":
        was_draft = application.submitted_at is None
        try:
            application_withdraw(application=application)
        except ApplicationError as exc:
            messages.error(request, str(exc))
            return redirect(application)
        if was_draft:
            messages.success(request, "Your draft is deleted.")
        else:
            messages.success(request, "Your application is withdrawn.")
        return redirect("applications:mine")
    return render(request, "applications/withdraw.html", {"application": application})


@login_required
@require_POST
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_application_for_user(request, pk)
    try:
        application = application_reopen(application=application)
    except ApplicationError as exc:
        messages.error(request, str(exc))
        return redirect(application)
    messages.success(
        request,
        "Your application is a draft again. Change what you need and submit it before "
        "applications close.",
    )
    return redirect("applications:apply", slug=application.cohort.slug, role=application.role)


REVIEW_DECISIONS = {
    Application.Status.ACCEPTED: "Accept",
    Application.Status.WAITLISTED: "Waitlist",
    Application.Status.DECLINED: "Decline",
}


def _get_application_for_staff(request: HttpRequest, pk: int) -> Application:
    # Members never learn this page exists: anyone but staff allowed to read applications gets
    # "not found", as on every other URL of someone else's application.
    if not (request.user.is_staff and request.user.has_perm("applications.view_application")):
        raise Http404
    applications = Application.objects.select_related("cohort", "member", "member__profile")
    return get_object_or_404(applications.prefetch_related("desired_practice_areas"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff read one application (its role's answers only) and decide it.

    Admin's "View on site" leads here. A decision goes through `application_decide`, as the
    admin's bulk actions do, so the cohort's capacity is checked under the same lock.
    """
    application = _get_application_for_staff(request, pk)
    can_decide = request.user.has_perm("applications.change_application")
    if request.method == "POST":
        decision = request.POST.get("decision", "")
        if not can_decide:
            raise Http404
        if decision not in REVIEW_DECISIONS:
            messages.error(request, "Choose accept, waitlist or decline.")
            return redirect("applications:review", pk=application.pk)
        try:
            changed = application_decide(
                application_ids=[application.pk], decision=decision, decided_by=request.user
            )
        except ApplicationError as exc:
            messages.error(request, str(exc))
        else:
            label = Application.Status(decision).label.lower()
            if changed:
                messages.success(
                    request, f"The application is {label}; the applicant is being emailed."
                )
            else:
                messages.info(request, f"The application was already {label}; nothing changed.")
        return redirect("applications:review", pk=application.pk)

    cohort = application.cohort
    taken = Application.objects.for_cohort(cohort).accepted().count_by_role()[application.role]
    snapshot = application.profile_snapshot or {}
    return render(
        request,
        "applications/review.html",
        {
            "application": application,
            "cohort": cohort,
            "Status": Application.Status,
            "is_mentee": application.role == Role.MENTEE,
            "snapshot": snapshot,
            "practice_areas": PracticeArea.objects.filter(
                pk__in=snapshot.get("practice_areas") or []
            ),
            "interests": Interest.objects.filter(pk__in=snapshot.get("interests") or []),
            "places": cohort.mentee_capacity
            if application.role == Role.MENTEE
            else cohort.mentor_capacity,
            "places_taken": taken,
            "can_decide": can_decide
            and application.status not in {Application.Status.DRAFT, Application.Status.WITHDRAWN},
            "decisions": [
                (status, label)
                for status, label in REVIEW_DECISIONS.items()
                if status != application.status
            ],
        },
    )
