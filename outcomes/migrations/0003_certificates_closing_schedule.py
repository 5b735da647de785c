"""The closing job's schedule, in django-celery-beat's tables: daily, early morning in the
program office's time zone (settings.TIME_ZONE)."""

from django.conf import settings
from django.db import migrations

CLOSING_NAME = "Close cohorts and issue certificates"


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
    schedule(
        apps,
        name=CLOSING_NAME,
        task="outcomes.tasks.close_cohorts",
        schedule=crontab(apps, minute="30", hour="5", timezone=settings.TIME_ZONE),
        description="Every morning, for each cohort whose period ended a week ago (the week "
        "lets a last meeting be confirmed): a certificate for every member whose pair met the "
        "commitment with confirmed meetings, and the closing message to every member, with the "
        "certificate or with what they achieved. Running it again issues and sends nothing new.",
    )


def remove_schedule(apps, schema_editor):
    unschedule(apps, CLOSING_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0002_surveys_standard_and_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
