"""The retention job's schedule, in django-celery-beat's tables."""

from django.db import migrations

NAME = "Remove private data after the retention date"


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
    # Daily at 03:30 UTC, when nobody is writing notes. A cohort becomes due on a day, so a
    # daily run removes its data on that day; a late or repeated run only catches up.
    schedule(
        apps,
        name=NAME,
        task="privacy.tasks.purge_expired_data",
        schedule=crontab(apps, minute="30", hour="3"),
        description="Removes the private parts of each cohort's records (notes, goal text, "
        "comments, confidential free text, self-identification) on its retention date, and "
        "records what it removed.",
    )


def remove_schedule(apps, schema_editor):
    unschedule(apps, NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_retention_purges"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
