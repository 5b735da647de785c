"""The deadline reminder job's schedule, in django-celery-beat's tables."""

from django.db import migrations

NAME = "Application deadline reminders"


# A frozen copy of the beat-schedule helpers (core/schedules.py) as they were when this migration
# was written: a migration must do tomorrow what it did today, whatever happens to the helpers.


def crontab(apps, *, minute="0", hour="*", day_of_week="*", day_of_month="*", timezone="UTC"):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    fields = {
        "minute": minute,
        "hour": hour,
        "day_of_week": day_of_week,
        "day_of_month": day_of_month,
        "month_of_year": "*",
        "timezone": timezone,
    }
    return CrontabSchedule.objects.filter(**fields).first() or CrontabSchedule.objects.create(
        **fields
    )


def schedule(apps, *, name, task, schedule, description):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.update_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": schedule,
            "interval": None,
            "description": description,
            "enabled": True,
        },
    )


def unschedule(apps, *names):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()


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
