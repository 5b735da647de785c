from django.urls import path

from .views import surveys

app_name = "outcomes"

urlpatterns = [
    path("surveys/", surveys.survey_list, name="survey_list"),
    path("surveys/<int:pk>/", surveys.survey_answer, name="survey_answer"),
]
