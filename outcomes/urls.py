from django.urls import path

from .views import certificates, dashboard, surveys

app_name = "outcomes"

urlpatterns = [
    path(
        "certificates/<str:code>/",
        certificates.verify_certificate,
        name="verify_certificate",
    ),
    path(
        "mentorship/certificates/<int:pk>/download/",
        certificates.certificate_download,
        name="certificate_download",
    ),
    path("outcomes/dashboard/", dashboard.overview, name="dashboard"),
    path("outcomes/dashboard/<slug:slug>/", dashboard.cohort_dashboard, name="cohort_dashboard"),
    path("surveys/", surveys.survey_list, name="survey_list"),
    path("surveys/<int:pk>/", surveys.survey_answer, name="survey_answer"),
]
