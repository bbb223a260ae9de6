"""Pages of dissemination; the project includes them at "daten/". The API (permalinks in
every format, versions, feed, catalogue) is at /api/v1/ (bif/api_urls.py)."""

from django.urls import path

from . import views

app_name = "dissemination"

urlpatterns = [
    path("kalender/", views.release_calendar, name="release-calendar"),
    path("tabellen/<slug:slug>/", views.table_page, name="table"),
    path(
        "statistikstelle/berechnung/<int:pk>/metadaten/",
        views.metadata_form,
        name="metadata",
    ),
]
