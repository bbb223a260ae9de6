from django.urls import path

from . import views

app_name = "statistics_office"

urlpatterns = [
    path("einzeldaten/", views.microdata_overview, name="microdata-overview"),
    path("einzeldaten/<slug:slug>/", views.microdata_browser, name="microdata-browser"),
    path("einzeldaten/<slug:slug>/vergleich/", views.microdata_compare, name="microdata-compare"),
    path("einzeldaten/<slug:slug>/export.csv", views.microdata_export, name="microdata-export"),
]
