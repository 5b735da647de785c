"""The sweeper's schedule lives in django-celery-beat's tables, so staff see and change it in admin."""

from django.db import migrations

SWEEPER_NAME = "Send notifications left pending"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_five_minutes, _ = IntervalSchedule.objects.get_or_create(every=5, period="minutes")
    PeriodicTask.objects.update_or_create(
        name=SWEEPER_NAME,
        defaults={
            "task": "notifications.tasks.sweep_notifications",
            "interval": every_five_minutes,
            "description": "Re-enqueues emails whose task was lost (for example when the broker "
            "was down as they were recorded) and flags emails stuck mid-send.",
            "enabled": True,
        },
    )


def remove_schedule(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name=SWEEPER_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
