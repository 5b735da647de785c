from django.urls import path

from .views import certificates

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
]
