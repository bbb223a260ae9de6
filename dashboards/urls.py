from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.dashboard_list, name="list"),
    path("neu/", views.dashboard_form, name="create"),
    path("gebiete/<slug:level>.geojson", views.area_geojson, name="area-geojson"),
    path("<slug:slug>/", views.dashboard_detail, name="detail"),
    path("<slug:slug>/bericht/", views.dashboard_report, name="report"),
    path("<slug:slug>/elemente/<int:pk>/einbetten/", views.widget_embed, name="widget-embed"),
    path("<slug:slug>/bearbeiten/", views.dashboard_form, name="edit"),
    path("<slug:slug>/veroeffentlichen/", views.dashboard_publish, name="publish"),
    path("<slug:slug>/elemente/neu/", views.widget_form, name="widget-create"),
    path("<slug:slug>/elemente/<int:pk>/", views.widget_form, name="widget-edit"),
    path("<slug:slug>/elemente/<int:pk>/verschieben/", views.widget_move, name="widget-move"),
    path("<slug:slug>/elemente/<int:pk>/entfernen/", views.widget_delete, name="widget-delete"),
    path(
        "<slug:slug>/elemente/<int:pk>/daten.<str:fmt>",
        views.widget_export,
        name="widget-export",
    ),
]
