"""The record of staff access to private data: who saw what, and when.

Written by `core.access.access_record` wherever staff open something private (a pair's
workspace, a member's self-identification, an export of member data). Staff read it in admin;
nobody changes or deletes a row without the separate `manage_access_records` permission.
"""

from django.conf import settings
from django.db import models


class AccessRecord(models.Model):
    class Kind(models.TextChoices):
        PAIR_WORKSPACE = "pair_workspace", "Opened a pair's workspace"
        SELF_IDENTIFICATION = "self_identification", "Saw a member's self-identification"
        MEMBER_EXPORT = "member_export", "Exported member data"

    # Kept when the staff account goes: the record says who it was in `user_label`.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="staff member",
    )
    user_label = models.CharField("staff member (as recorded)", max_length=300)
    kind = models.CharField(max_length=30, choices=Kind)
    description = models.CharField("what", max_length=500)
    path = models.CharField("page", max_length=500, blank=True)
    at = models.DateTimeField("when", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "staff access to private data"
        verbose_name_plural = "staff access to private data"
        permissions = [
            (
                "manage_access_records",
                "Can change or delete records of staff access to private data",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_label}: {self.get_kind_display().lower()} ({self.description})"
