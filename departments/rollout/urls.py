from django.urls import path

from . import views

app_name = "rollout"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="export"),
    path("quelle/<slug:slug>/", views.checklist, name="checklist"),
    path("quelle/<slug:slug>/punkt/<int:pk>/", views.complete_item, name="complete-item"),
    path("quelle/<slug:slug>/stufe/", views.advance, name="advance"),
    path("fachbereich/<slug:code>/beteiligung/", views.staff, name="staff"),
    path("rueckmeldungen/", views.feedback_list, name="feedback-list"),
    path("rueckmeldungen/dashboard/<int:pk>/", views.feedback, name="feedback"),
]
