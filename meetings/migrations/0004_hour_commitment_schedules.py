"""The hour-commitment jobs' schedules, in django-celery-beat's tables.

Both run in the program office's time zone (settings.TIME_ZONE): the monthly job early on the
1st, reporting on the month that just ended; the staff digest on Monday morning.
"""

from django.conf import settings
from django.db import migrations

MONTHLY_NAME = "Monthly hour-commitment reminders"
DIGEST_NAME = "Weekly staff digest"


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
    schedule(
        apps,
        name=MONTHLY_NAME,
        task="meetings.tasks.send_monthly_hour_reminders",
        schedule=crontab(apps, hour="6", day_of_month="1", timezone=settings.TIME_ZONE),
        description="On the 1st, for the month that just ended: a progress summary to both "
        "members of every running pair, a nudge where the month came in under its minimum, a "
        "firmer note where the pair is behind pace or at risk. Running it again in the same "
        "month sends nothing twice.",
    )
    schedule(
        apps,
        name=DIGEST_NAME,
        task="meetings.tasks.send_staff_digest",
        schedule=crontab(apps, hour="8", day_of_week="1", timezone=settings.TIME_ZONE),
        description="Monday morning, to every active staff user: pairs at risk, pairs behind "
        "pace, proposed matches awaiting approval and applications awaiting a decision. Once "
        "per staff member per week.",
    )


def remove_schedules(apps, schema_editor):
    unschedule(apps, MONTHLY_NAME, DIGEST_NAME)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0003_meeting_reminder_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
