from django.apps import AppConfig


class BifConfig(AppConfig):
    name = "bif"
    verbose_name = "BIF"
