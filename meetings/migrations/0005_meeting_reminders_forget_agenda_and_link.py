"""Meeting reminders recorded before now kept the meeting's agenda and video link in the
notification row (its context, and the calendar file attached), which staff read in admin.
Keep the meeting's id instead: the email reads them when it is sent (a resend included)."""

from django.db import migrations


def forget_agenda_and_link(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    reminders = Notification.objects.filter(kind="meeting_reminder").only(
        "idempotency_key", "context", "attachments"
    )
    for notification in reminders.iterator(chunk_size=500):
        context = dict(notification.context)
        context.pop("agenda", None)
        context.pop("video_link", None)
        # The key is `meeting-reminder:<meeting>:<start>:<user>`.
        meeting_id = notification.idempotency_key.split(":")[1]
        if meeting_id.isdigit():
            context["meeting_id"] = int(meeting_id)
        notification.context = context
        notification.attachments = []
        notification.save(update_fields=["context", "attachments"])


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0004_hour_commitment_schedules"),
        ("notifications", "0003_reminders_and_attachments"),
    ]

    operations = [migrations.RunPython(forget_agenda_and_link, migrations.RunPython.noop)]
