from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

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

    @admin.action(
        description="Resend selected failed or maybe-sent notifications", permissions=["change"]
    )
    def resend_failed(
        self, request: HttpRequest, queryset: QuerySet[Notification]
    ) -> TemplateResponse | None:
        """Failed rows go again at once; "maybe sent" ones only after staff confirm on a page
        listing them, because the recipient may already have the email and would get it twice."""
        selected = list(queryset.order_by("created_at", "pk"))
        confirmed = request.POST.get("confirm_duplicates") == "yes"
        maybe_sent = Notification.Status.MAYBE_SENT
        waiting = [] if confirmed else [n for n in selected if n.status == maybe_sent]
        resent = sum(
            notification_resend(notification=n, allow_duplicate=confirmed) for n in selected
        )
        skipped = len(selected) - resent - len(waiting)
        if resent or not waiting:
            self.message_user(request, f"{resent} notification(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                f"{skipped} skipped: only failed or maybe-sent notifications can be resent.",
                messages.WARNING,
            )
        if not waiting:
            return None
        return TemplateResponse(
            request,
            "admin/notifications/notification/resend_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": "Resend emails that may already have been delivered?",
                "crumb": "Resend",
                "maybe_sent": waiting,
                "action": "resend_failed",
            },
        )
