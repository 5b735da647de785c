from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("resources/<int:pk>/file/", views.resource_file, name="resource_file"),
    path("<slug:slug>/orientation.ics", views.orientation_ics, name="orientation_ics"),
    path("<slug:slug>/", views.cohort_detail, name="detail"),
]
