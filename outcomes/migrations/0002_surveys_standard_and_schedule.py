"""Surveys: when each invitation was emailed; the standard midpoint and end-of-program surveys
for every cohort that has no survey yet; the hourly job that opens surveys and reminds."""

from django.db import migrations, models

# Frozen copies (of outcomes/survey_templates.py and core/schedules.py as they were when this
# migration was written): a migration must do tomorrow what it did today.
SATISFACTION = "How satisfied are you with your match?"
STANDARD_SURVEYS = [
    {
        "title": "Midpoint check-in",
        "introduction": "Halfway through the mentorship period: tell the program office how it "
        "is going. Your partner never sees your answers.",
        "point": "midpoint",
        "audience": "both",
        "privacy": "confidential",
        "open_days": 21,
        "questions": [
            {"text": SATISFACTION, "kind": "scale", "measures_match_satisfaction": True},
            {
                "text": "How often have you met so far?",
                "kind": "single",
                "choices": "More than once a month\nAbout once a month\n"
                "Less than once a month\nNot yet",
            },
            {
                "text": "What has the mentorship helped with so far?",
                "kind": "multiple",
                "required": False,
                "choices": "Career planning\nClinical knowledge\nResidency preparation\n"
                "Leadership\nNetworking\nWork-life integration",
            },
            {
                "text": "Is anything getting in the way? What would help?",
                "kind": "text",
                "required": False,
            },
        ],
    },
    {
        "title": "End-of-program survey",
        "introduction": "The mentorship period has ended. Your answers are anonymous: nothing "
        "ties them to you, and they help the association judge the pilot and plan the next "
        "cohort.",
        "point": "end",
        "audience": "both",
        "privacy": "anonymous",
        "open_days": 30,
        "questions": [
            {"text": "Overall, how satisfied are you with the program?", "kind": "scale"},
            {
                "text": "How likely are you to recommend the program to a colleague?",
                "kind": "recommend",
            },
            {
                "text": "Did the mentorship help you reach the goals you set?",
                "kind": "single",
                "choices": "Fully\nMostly\nPartly\nNot at all\nI did not set goals",
            },
            {
                "text": "Which parts of the program were most useful?",
                "kind": "multiple",
                "required": False,
                "choices": "The orientation\nThe meetings\nThe goals and action plan\n"
                "The resource library\nThe reminders",
            },
            {
                "text": "What should we change for the next cohort?",
                "kind": "text",
                "required": False,
            },
        ],
    },
]
SCHEDULE_NAME = "Survey invitations and reminders"


def seed_standard_surveys(apps, schema_editor):
    Cohort = apps.get_model("cohorts", "Cohort")
    Survey = apps.get_model("outcomes", "Survey")
    Question = apps.get_model("outcomes", "Question")
    for cohort in Cohort.objects.filter(surveys__isnull=True).order_by("pk"):
        midpoint = cohort.period_start + (cohort.period_end - cohort.period_start) / 2
        for template in STANDARD_SURVEYS:
            fields = {k: v for k, v in template.items() if k != "questions"}
            survey = Survey.objects.create(
                cohort=cohort,
                opens_on=midpoint if template["point"] == "midpoint" else None,
                **fields,
            )
            Question.objects.bulk_create(
                Question(survey=survey, order=order, **question)
                for order, question in enumerate(template["questions"], start=1)
            )


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


def create_schedule(apps, schema_editor):
    # Hourly, at twenty past: every invitation and reminder has an idempotency key, so a late
    # or repeated run only catches up.
    apps.get_model("django_celery_beat", "PeriodicTask").objects.update_or_create(
        name=SCHEDULE_NAME,
        defaults={
            "task": "outcomes.tasks.send_survey_invitations",
            "crontab": crontab(apps, minute="20"),
            "interval": None,
            "description": "Opens the surveys whose point has come (invitations to the released "
            "pairs' members, emailed once) and reminds, at most twice, those who have not "
            "answered.",
            "enabled": True,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=SCHEDULE_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [
        migrations.AddField(
            model_name="invitation",
            name="invited_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(seed_standard_surveys, migrations.RunPython.noop),
        migrations.RunPython(create_schedule, remove_schedule),
    ]
