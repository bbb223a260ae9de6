from django.apps import AppConfig


class DisseminationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dissemination"
    verbose_name = "Verbreitung"
