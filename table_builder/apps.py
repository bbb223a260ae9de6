from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TableBuilderConfig(AppConfig):
    name = "table_builder"
    verbose_name = _("Tabellenbaukasten (Seiten und API)")
