from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cohorts import views as cohort_views

admin.site.site_header = f"{settings.PROGRAM_NAME}: staff"
admin.site.site_title = settings.PROGRAM_NAME
admin.site.index_title = "Program administration"

urlpatterns = [
    path("", cohort_views.home, name="home"),
    path("accounts/", include("allauth.urls")),
    path("", include("applications.urls")),
    path("", include("matching.urls")),
    path("cohorts/", include("cohorts.urls")),
    path("mentorship/", include("meetings.urls")),
    path("notifications/", include("notifications.urls")),
    path("privacy/", include("privacy.urls")),
    path("", include("outcomes.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_TRIVIAL_VIEW:
    # Only `benchmarks/pages.py` turns this on: the yardstick its pages are measured against.
    from mentorship.views import bench_trivial

    urlpatterns.append(path("bench/trivial/", bench_trivial))
