"""Beat schedules that staff see and change in admin (django-celery-beat's tables).

Data migrations create them. A migration never imports these functions: it carries a frozen copy
of what it needs (see applications/migrations/0003_deadline_reminder_schedule.py), so that editing
them here cannot change what an old migration does. This is the copy a new migration starts from,
and tests/test_beat.py proves it right.
"""


def crontab(apps, *, minute="0", hour="*", day_of_week="*", day_of_month="*", timezone="UTC"):
    """A crontab row, reusing an identical one: other jobs may share it, and admin lets staff
    add a duplicate, so `get_or_create` (which fails on two) will not do."""
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


def schedule(apps, *, name: str, task: str, schedule, description: str) -> None:
    """Create or update the periodic task `name` running `task` on the crontab `schedule`."""
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.update_or_create(
        name=name,
        defaults={
            "task": task,
            "crontab": schedule,
            "interval": None,
            "description": description,
            "enabled": True,
        },
    )


def unschedule(apps, *names: str) -> None:
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name__in=names).delete()
