"""The meeting reminder job's schedule, in django-celery-beat's tables."""

from django.db import migrations

from mentorship.schedules import crontab, schedule, unschedule

NAME = "Meeting reminders"


def create_schedule(apps, schema_editor):
    # Hourly, on the hour. The job looks 24 hours ahead and the idempotency key stops a second
    # email, so a late or repeated run only ever catches up.
    schedule(
        apps,
        name=NAME,
        task="meetings.tasks.send_meeting_reminders",
        schedule=crontab(apps),
        description="Reminds both members of a pair the day before each planned meeting "
        "(once per meeting time; a rescheduled meeting gets a new reminder).",
    )


def remove_schedule(apps, schema_editor):
    unschedule(apps, NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0002_pair"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
