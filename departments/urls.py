from django.urls import path

from . import import_views, onboarding_views, views

app_name = "departments"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("neu/", views.DataSourceCreate.as_view(), name="source-create"),
    path("aufnehmen/", onboarding_views.onboard_start, name="onboard-start"),
    path("aufnehmen/schema/", onboarding_views.onboard_schema, name="onboard-schema"),
    path("hochladen/", import_views.upload, name="upload"),
    path("importe/", import_views.run_list, name="run-list"),
    path("importe/<int:pk>/", import_views.run_detail, name="run-detail"),
    path("importe/<int:pk>/status/", import_views.run_status, name="run-status"),
    path("importe/<int:pk>/befunde.csv", import_views.findings_csv, name="run-findings-csv"),
    path("importe/<int:pk>/pruefen/", import_views.run_review, name="run-review"),
    path("importe/<int:pk>/zuordnen/", import_views.run_remap, name="run-remap"),
    path("importe/<int:pk>/abbrechen/", import_views.run_cancel, name="run-cancel"),
    path("importe/<int:pk>/wiederholen/", import_views.run_retry, name="run-retry"),
    path("importe/<int:pk>/zuruecknehmen/", import_views.run_rollback, name="run-rollback"),
    path("importe/<int:pk>/zurueckziehen/", import_views.run_withdraw, name="run-withdraw"),
    path("<slug:slug>/", views.source_detail, name="source-detail"),
    path("<slug:slug>/beschreibung/", views.description_upload, name="source-description-upload"),
    path(
        "<slug:slug>/beschreibung/<int:version>/",
        views.description_download,
        name="source-description",
    ),
    path("<slug:slug>/bearbeiten/", views.DataSourceUpdate.as_view(), name="source-edit"),
    path("<slug:slug>/schema/", onboarding_views.schema_edit, name="schema-edit"),
]
