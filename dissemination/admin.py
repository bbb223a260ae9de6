"""The publishing city (name and Gemeindeschlüssel) is the administration's to set."""

from django.contrib import admin

from .models import CityProfile


@admin.register(CityProfile)
class CityProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "municipality_key")
