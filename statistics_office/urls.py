from django.urls import path

from . import views

app_name = "statistics_office"

urlpatterns = [
    path("einzeldaten/", views.microdata_overview, name="microdata-overview"),
]
