from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "bif.geography"
    label = "geography"
    verbose_name = "Gebietsgliederung"
    default_auto_field = "django.db.models.BigAutoField"
