from django.urls import path

from .views import dashboard

app_name = "outcomes"

urlpatterns = [
    path("outcomes/dashboard/", dashboard.overview, name="dashboard"),
    path("outcomes/dashboard/<slug:slug>/", dashboard.cohort_dashboard, name="cohort_dashboard"),
]
