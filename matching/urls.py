from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("applications/<int:pk>/match/", views.my_match, name="my_match"),
]
