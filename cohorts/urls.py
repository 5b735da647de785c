from django.urls import path

from . import views

app_name = "cohorts"

urlpatterns = [
    path("<slug:slug>/", views.cohort_detail, name="detail"),
]
