"""What the meetings admin pages share: the permissions, the private columns, the page context."""

from django.contrib import admin
from django.http import HttpRequest

WORKSPACE_PERMISSION = "meetings.view_pair_workspace"
END_PERMISSION = "matching.change_match"
# The pair's own words: never selected, shown or exported by the admin.
PRIVATE_MEETING_FIELDS = ["agenda", "video_link", "topics", "notes", "next_steps"]


def admin_context(model_admin: admin.ModelAdmin, request: HttpRequest, **extra) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        **extra,
    }
