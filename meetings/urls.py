from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("", views.workspace_list, name="list"),
    path("calendar/", views.calendar_settings, name="calendar"),
    # Tokens are URL-safe base64 (letters, digits, - and _), the slug alphabet: anything else,
    # a NUL that PostgreSQL refuses in a query included, is not found before it is looked up.
    path("calendar/<slug:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("<int:pk>/", views.workspace, name="workspace"),
    path("<int:pk>/expectations/", views.expectations_edit, name="expectations"),
    path(
        "<int:pk>/expectations/acknowledge/",
        views.expectations_acknowledge,
        name="expectations_acknowledge",
    ),
    path("<int:pk>/goals/new/", views.goal_edit, name="goal_new"),
    path("<int:pk>/goals/<int:goal_pk>/", views.goal_detail, name="goal"),
    path("<int:pk>/goals/<int:goal_pk>/edit/", views.goal_edit, name="goal_edit"),
    path("<int:pk>/goals/<int:goal_pk>/delete/", views.goal_delete, name="goal_delete"),
    path("<int:pk>/goals/<int:goal_pk>/steps/", views.action_item_add, name="step_add"),
    path(
        "<int:pk>/goals/<int:goal_pk>/steps/<int:item_pk>/",
        views.action_item_update,
        name="step_update",
    ),
    path("<int:pk>/goals/<int:goal_pk>/comments/", views.goal_comment, name="goal_comment"),
    path("<int:pk>/meetings/", views.meeting_list, name="meetings"),
    path("<int:pk>/meetings/plan/", views.meeting_plan, name="meeting_plan"),
    path("<int:pk>/meetings/log/", views.meeting_log, name="meeting_log"),
    path("<int:pk>/meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/reschedule/",
        views.meeting_reschedule,
        name="meeting_reschedule",
    ),
    path("<int:pk>/meetings/<int:meeting_pk>/held/", views.meeting_mark_held, name="meeting_held"),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/log/", views.meeting_log_edit, name="meeting_log_edit"
    ),
    path(
        "<int:pk>/meetings/<int:meeting_pk>/confirm/", views.meeting_confirm, name="meeting_confirm"
    ),
    path("<int:pk>/meetings/<int:meeting_pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("<int:pk>/meetings/<int:meeting_pk>/delete/", views.meeting_delete, name="meeting_delete"),
    path("<int:pk>/meetings/<int:meeting_pk>.ics", views.meeting_ics, name="meeting_ics"),
]
