"""Certificates in admin: the list and a certificate's record, revoking one and issuing one as
an exception. Both need a reason and record who and when; neither deletes anything."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from accounts import admin_privacy
from accounts.admin_filters import ReferenceListFilter
from matching.models import Match

from ..certificates import CertificateError, certificate_issue_exception, certificate_revoke
from ..models import Certificate, Role

REASON_MAX_LENGTH = 2000


class RevokeCertificateForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Kept on record with the certificate, for staff only. The public "
        "verification page says only that it was revoked.",
    )


class PairChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Match) -> str:
        return f"{obj.mentor.member} and {obj.mentee.member} ({obj.cohort.name})"


class IssueCertificateForm(forms.Form):
    match = PairChoiceField(
        label="Pair",
        queryset=Match.objects.none(),
        help_text="Released pairs of cohorts whose period has ended.",
    )
    role = forms.ChoiceField(label="Member", choices=Role.choices)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        help_text="Why the rule is set aside (a meeting confirmed too late, say). Kept on record.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].queryset = (
            Match.objects.released()
            .filter(cohort__period_end__lt=timezone.localdate())
            .select_related("cohort", "mentor__member", "mentee__member")
            .order_by("-cohort__period_end", "pk")
        )


class RevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request, model_admin):
        return [("yes", "Revoked"), ("no", "Valid")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(revoked_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(revoked_at__isnull=True)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(admin_privacy.ModelAdmin):
    list_display = [
        "name",
        "role",
        "cohort_name",
        "confirmed_hours",
        "issued_at",
        "is_exception",
        "revoked",
    ]
    list_filter = [("cohort", ReferenceListFilter), "role", RevokedFilter]
    list_select_related = ["cohort"]
    search_fields = ["name", "code"]
    readonly_fields = [
        "code",
        "name",
        "role",
        "program",
        "cohort",
        "cohort_name",
        "match",
        "user",
        "period_start",
        "period_end",
        "confirmed_minutes",
        "meetings",
        "issued_at",
        "issued_by",
        "exception_reason",
        "revoked_at",
        "revoked_by",
        "revoke_reason",
    ]
    fields = readonly_fields
    change_form_template = "admin/outcomes/certificate/change_form.html"

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # revoke instead: the record and its public page stay honest

    def get_urls(self):
        return [
            path(
                "<int:pk>/revoke/",
                self.admin_site.admin_view(self.revoke_view),
                name="outcomes_certificate_revoke",
            ),
            *super().get_urls(),
        ]

    @admin.display(description="Confirmed hours", ordering="confirmed_minutes")
    def confirmed_hours(self, obj: Certificate) -> str:
        from core.text import duration_short_text

        return duration_short_text(obj.confirmed_minutes)

    @admin.display(description="Exception", boolean=True)
    def is_exception(self, obj: Certificate) -> bool:
        return bool(obj.exception_reason)

    @admin.display(description="Revoked", boolean=True, ordering="revoked_at")
    def revoked(self, obj: Certificate) -> bool:
        return obj.is_revoked

    def _page(self, request: HttpRequest, template: str, **extra) -> TemplateResponse:
        return TemplateResponse(
            request,
            template,
            {**self.admin_site.each_context(request), "opts": self.model._meta, **extra},
        )

    def add_view(self, request: HttpRequest, form_url="", extra_context=None):
        """Issue a certificate as an exception, with a reason."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = IssueCertificateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                certificate = certificate_issue_exception(
                    match=form.cleaned_data["match"],
                    role=form.cleaned_data["role"],
                    issued_by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except CertificateError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Certificate issued to {certificate.name} as an exception; they are "
                    "emailed it.",
                )
                return redirect("admin:outcomes_certificate_change", certificate.pk)
        return self._page(
            request,
            "admin/outcomes/certificate/issue.html",
            title="Issue a certificate as an exception",
            form=form,
        )

    def revoke_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        certificate = get_object_or_404(Certificate, pk=pk)
        if not self.has_change_permission(request, certificate):
            raise PermissionDenied
        form = RevokeCertificateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                certificate_revoke(
                    certificate=certificate,
                    revoked_by=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except CertificateError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"The certificate of {certificate.name} is revoked; its verification page "
                    "now says so.",
                )
                return redirect("admin:outcomes_certificate_change", certificate.pk)
        return self._page(
            request,
            "admin/outcomes/certificate/revoke.html",
            title=f"Revoke the certificate of {certificate.name}",
            certificate=certificate,
            original=certificate,
            form=form,
            change_url=reverse("admin:outcomes_certificate_change", args=[certificate.pk]),
        )
