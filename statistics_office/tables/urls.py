"""Routes of the tables app; the project includes them at "tabellen/". The tables' API is
at /api/v1/tables/ (bif/api_urls.py)."""

from django.urls import path

from . import views

app_name = "tables"

urlpatterns = [
    path("", views.published_list, name="published-list"),
    path("<int:pk>/", views.published_detail, name="published-detail"),
    path("<int:pk>/export.<str:fmt>", views.published_export, name="published-export"),
    path("statistikstelle/", views.definition_list, name="definition-list"),
    path("statistikstelle/neu/", views.definition_form, name="definition-create"),
    path("statistikstelle/<int:pk>/", views.definition_detail, name="definition-detail"),
    path("statistikstelle/<int:pk>/bearbeiten/", views.definition_form, name="definition-edit"),
    path(
        "statistikstelle/<int:pk>/berechnen/", views.definition_compute, name="definition-compute"
    ),
    path(
        "statistikstelle/berechnung/<int:pk>/",
        views.computation_detail,
        name="computation-detail",
    ),
    path(
        "statistikstelle/berechnung/<int:pk>/pruefen/",
        views.computation_review,
        name="computation-review",
    ),
    path(
        "statistikstelle/berechnung/<int:pk>/veroeffentlichen/",
        views.computation_publish,
        name="computation-publish",
    ),
]
