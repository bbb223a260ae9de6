from django.urls import path

from . import views

app_name = "rollout"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export.xlsx", views.overview_export, name="export"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("nachweis/<int:pk>/", views.evidence, name="evidence"),
    path("fachbereich/<slug:code>/", views.department_checklist, name="department"),
    path("fachbereich/<slug:code>/punkt/<int:pk>/", views.department_item, name="department-item"),
    path("quelle/<slug:slug>/", views.checklist, name="checklist"),
    path("quelle/<slug:slug>/punkt/<int:pk>/", views.complete_item, name="complete-item"),
    path("quelle/<slug:slug>/stufe/", views.advance, name="advance"),
    path("fachbereich/<slug:code>/beteiligung/", views.staff, name="staff"),
    path("rueckmeldungen/", views.feedback_list, name="feedback-list"),
    path("rueckmeldungen/dashboard/<int:pk>/", views.feedback, name="feedback"),
]
