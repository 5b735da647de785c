from django.contrib import admin
from django.http import HttpRequest

from accounts import admin_privacy
from core.models import AccessRecord

from .models import RetentionPurge

MANAGE_ACCESS_RECORDS = "core.manage_access_records"


@admin.register(AccessRecord)
class AccessRecordAdmin(admin_privacy.ModelAdmin):
    """Who saw what: read by staff allowed to view it; changed or deleted only by those holding
    the separate `manage_access_records` permission; never added by hand."""

    list_display = ["at", "user_label", "kind", "description"]
    list_filter = ["kind", "at"]
    search_fields = ["user_label", "description"]
    date_hierarchy = "at"
    fields = ["at", "user", "user_label", "kind", "description", "path"]
    readonly_fields = ["at", "user", "user_label", "kind", "description", "path"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(MANAGE_ACCESS_RECORDS) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.has_perm(MANAGE_ACCESS_RECORDS) and super().has_delete_permission(
            request, obj
        )


@admin.register(RetentionPurge)
class RetentionPurgeAdmin(admin_privacy.ModelAdmin):
    """What the retention policy removed: a record, never edited."""

    list_display = ["cohort", "due_on", "ran_at", "policy", "total", "trigger"]
    list_filter = [("cohort", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["cohort"]
    fields = ["cohort", "due_on", "ran_at", "policy", "removed", "trigger"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False
