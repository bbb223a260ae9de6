from django.urls import path

from . import views

app_name = "departments"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("neu/", views.DataSourceCreate.as_view(), name="source-create"),
    path("<slug:slug>/", views.source_detail, name="source-detail"),
    path("<slug:slug>/bearbeiten/", views.DataSourceUpdate.as_view(), name="source-edit"),
]
