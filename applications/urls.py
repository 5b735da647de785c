from django.urls import path

from . import views

app_name = "applications"

urlpatterns = [
    path("membership/", views.membership, name="membership"),
    path("profile/", views.profile, name="profile"),
    path("profile/name/", views.profile_name, name="profile_name"),
    path("applications/", views.my_applications, name="mine"),
    path("applications/<int:pk>/", views.application_detail, name="detail"),
    path("applications/<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("applications/<int:pk>/reopen/", views.reopen, name="reopen"),
    path("applications/<int:pk>/review/", views.review, name="review"),
    path("cohorts/<slug:slug>/apply/<str:role>/", views.apply, name="apply"),
]
