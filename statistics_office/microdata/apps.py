from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrodataConfig(AppConfig):
    """The only app whose tables live in the sealed database (see bif/db_router.py)."""

    name = "statistics_office.microdata"
    label = "microdata"
    verbose_name = _("Einzeldaten (abgeschottet)")
