from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts import admin_privacy

from .models import Notification
from .services import notification_resend


@admin.register(Notification)
class NotificationAdmin(admin_privacy.ModelAdmin):
    list_display = ["kind", "to_email", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["to_email", "idempotency_key", "kind"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [
        "kind",
        "recipient",
        "to_email",
        "idempotency_key",
        "context",
        "status",
        "attempts",
        "last_error",
        "created_at",
        "last_attempt_at",
        "sent_at",
    ]
    actions = ["resend_failed"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Resend selected failed notifications", permissions=["change"])
    def resend_failed(self, request: HttpRequest, queryset: QuerySet[Notification]) -> None:
        resent = sum(notification_resend(notification=n) for n in queryset)
        skipped = queryset.count() - resent
        self.message_user(request, f"{resent} notification(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: only failed notifications can be resent.",
                messages.WARNING,
            )
