from django.urls import path

from .views import calendar, concerns, goals, meetings, workspace

app_name = "meetings"

urlpatterns = [
    path("", workspace.workspace_list, name="list"),
    path("calendar/", calendar.calendar_settings, name="calendar"),
    # Tokens are URL-safe base64 (letters, digits, - and _), the slug alphabet: anything else,
    # a NUL that PostgreSQL refuses in a query included, is not found before it is looked up.
    path("calendar/<slug:token>.ics", calendar.calendar_feed, name="calendar_feed"),
    path("<int:pk>/", workspace.workspace, name="workspace"),
    path("<int:pk>/expectations/", workspace.expectations_edit, name="expectations"),
    path(
        "<int:pk>/expectations/acknowledge/",
        workspace.expectations_acknowledge,
        name="expectations_acknowledge",
    ),
    path("<int:pk>/concern/", concerns.concern, name="concern"),
    path("<int:pk>/goals/new/", goals.goal_edit, name="goal_new"),
    path("<int:pk>/goals/<int:goal_pk>/", goals.goal_detail, name="goal"),
    path("<int:pk>/goals/<int:goal_pk>/edit/", goals.goal_edit, name="goal_edit"),
    path("<int:pk>/goals/<int:goal_pk>/delete/", goals.goal_delete, name="goal_delete"),
    path("<int:pk>/goals/<int:goal_pk>/steps/", goals.action_item_add, name="step_add"),
    path(
        "<int:pk>/goals/<int:goal_pk>/steps/<int:item_pk>/",
        goals.action_item_update,
        name="step_update",
    ),
    path("<int:pk>/goals/<int:goal_pk>/comments/", goals.goal_comment, name="goal_comment"),
    path("<int:pk>/meetings/", meetings.meeting_list, name="meetings"),
    path("<int:pk>/meetings/plan/", meetings.meeting_plan, name="meeting_plan"),
    path("<int:pk>/meetings/log/", meetings.meeting_log, name="meeting_log"),
    path("<int:pk>/meetings/<int:meeting_pk>/", meetings.meeting_detail, name="meeting"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/reschedule/",
        meetings.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/held/", meetings.meeting_mark_held, name="meeting_held"
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/log/",
        meetings.meeting_log_edit,
        name="meeting_log_edit",
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/confirm/",
        meetings.meeting_confirm,
        name="meeting_confirm",
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/cancel/", meetings.meeting_cancel, name="meeting_cancel"
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/delete/", meetings.meeting_delete, name="meeting_delete"
    ),
    path("<int:pk>/meetings/<int:meeting_pk>.ics", calendar.meeting_ics, name="meeting_ics"),
]
