from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("", views.indicator_list, name="list"),
    path("neu/", views.indicator_form, name="create"),
    path("gebiet/<str:code>/", views.district_profile, name="profile"),
    path("<slug:slug>/", views.indicator_detail, name="detail"),
    path("<slug:slug>/bearbeiten/", views.indicator_form, name="edit"),
]
