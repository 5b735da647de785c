from django.urls import path

from .views import certificates, dashboard

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
]
