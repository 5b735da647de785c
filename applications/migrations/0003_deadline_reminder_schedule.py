"""The deadline reminder job's schedule, in django-celery-beat's tables."""

from django.db import migrations

from mentorship.schedules import crontab, schedule, unschedule

NAME = "Application deadline reminders"


def create_schedule(apps, schema_editor):
    # Hourly, on the hour. Each reminder has an idempotency key, so a late or repeated run only
    # ever catches up.
    schedule(
        apps,
        name=NAME,
        task="applications.tasks.send_deadline_reminders",
        schedule=crontab(apps),
        description="Reminds members with an unsubmitted draft before a cohort's application "
        "deadline, once at each of DEADLINE_REMINDER_DAYS (only the nearest one when several "
        "are due).",
    )


def remove_schedule(apps, schema_editor):
    unschedule(apps, NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_reference_data"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
