"""The release and orientation reminder jobs' schedules, in django-celery-beat's tables."""

from django.conf import settings
from django.db import migrations

RELEASE_NAME = "Release matches on the notification date"
ORIENTATION_NAME = "Orientation reminders"


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


def create_schedules(apps, schema_editor):
    # Every hour from 7:00 to 21:00 in the program office's zone: on the notification date the
    # pairs hear in the morning rather than at midnight, and a pair approved later that day (or
    # any later day) is released within the hour. The job looks at dates, not at the clock, so a
    # late or repeated run only ever catches up.
    schedule(
        apps,
        name=RELEASE_NAME,
        task="matching.tasks.release_due_matches",
        schedule=crontab(apps, hour="7-21", timezone=settings.TIME_ZONE),
        description="Releases each cohort's approved matches once its match notification date "
        "has come (staff can release earlier from the cohort's page): both members see their "
        "pair and get an announcement email with the orientation invitation. Also records any "
        "announcement of the last three days whose task was lost.",
    )
    schedule(
        apps,
        name=ORIENTATION_NAME,
        task="matching.tasks.send_orientation_reminders",
        schedule=crontab(apps),
        description="Reminds each member of a released pair, once, when their cohort's "
        "orientation is less than 24 hours away (members who turned reminders off are skipped).",
    )


def remove_schedules(apps, schema_editor):
    unschedule(apps, RELEASE_NAME, ORIENTATION_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
