"""Routes of the table builder; the project includes them at "tabellenbaukasten/"."""

from django.urls import path

from . import views

app_name = "table_builder"

urlpatterns = [
    path("", views.builder, name="builder"),
    path("abfrage/<int:pk>/download.<str:fmt>", views.download, name="download"),
    path("abfrage/<int:pk>/speichern/", views.save, name="save"),
    path("abfrage/<int:pk>/vorschlagen/", views.propose, name="propose"),
    path("gespeichert/<int:pk>/", views.run_saved, name="run-saved"),
    path("statistikstelle/", views.office, name="office"),
    path("statistikstelle/katalog/<int:source_pk>/", views.catalogue, name="catalogue"),
]
