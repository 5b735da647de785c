"""CSV downloads are defused and named; the schedule helpers a migration copies are right."""

import csv
import io

import pytest
from django.apps import apps
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from core.schedules import crontab, schedule, unschedule
from core.spreadsheets import csv_response, csv_stream

ROWS = [["name", "note"], ["=HYPERLINK(1)", "+1"], ["Ana", "fine"]]


def test_a_csv_download_defuses_formulas_and_is_named_by_content_and_time():
    response = csv_response("people", ROWS)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="people-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [["name", "note"], ["'=HYPERLINK(1)", "'+1"], ["Ana", "fine"]]


def test_a_streamed_csv_is_the_same_file():
    streamed = b"".join(csv_stream("people", ROWS).streaming_content)
    assert streamed == csv_response("people", ROWS).content


@pytest.mark.django_db
def test_scheduling_twice_keeps_one_task_and_one_crontab():
    for description in ("first", "second"):
        schedule(
            apps,
            name="Test job",
            task="tests.job",
            schedule=crontab(apps, minute="17", hour="6", day_of_month="1"),
            description=description,
        )
    task = PeriodicTask.objects.get(name="Test job")
    assert task.description == "second"
    assert CrontabSchedule.objects.filter(minute="17", hour="6", day_of_month="1").count() == 1
    unschedule(apps, "Test job")
    assert not PeriodicTask.objects.filter(name="Test job").exists()
