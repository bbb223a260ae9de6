from django.apps import AppConfig


class DisseminationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dissemination"
    verbose_name = "Verbreitung"

    def ready(self):
        from statistics_office.tables.checks import PUBLISH_GUARDS

        from .services import refuse_before_release

        if refuse_before_release not in PUBLISH_GUARDS:
            PUBLISH_GUARDS.append(refuse_before_release)
