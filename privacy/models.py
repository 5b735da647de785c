"""What the retention policy removed, cohort by cohort (see privacy/retention.py)."""

from django.db import models

from cohorts.models import Cohort


class RetentionPurge(models.Model):
    """One run of the retention policy over one cohort that removed something (or the first
    one, which records that the cohort's private data is gone even when there was none).

    The cohort's admin page reads these through the reverse name `retention_purges`, without
    importing this app (cohorts sits below privacy)."""

    cohort = models.ForeignKey(Cohort, on_delete=models.CASCADE, related_name="retention_purges")
    due_on = models.DateField("due on")
    ran_at = models.DateTimeField("removed at")
    policy = models.CharField(max_length=200, help_text="Which rule made the data due.")
    # {kind: number of records whose private part was removed}, e.g. {"meeting_notes": 4}.
    removed = models.JSONField(default=dict)
    trigger = models.CharField(
        max_length=40, help_text="The scheduled job or the purge_expired_data command."
    )

    class Meta:
        ordering = ["-ran_at", "-pk"]
        verbose_name = "retention removal"
        verbose_name_plural = "retention removals"

    def __str__(self) -> str:
        return f"Private data of {self.cohort} removed at {self.ran_at:%Y-%m-%d %H:%M}"

    @property
    def total(self) -> int:
        return sum(self.removed.values())
