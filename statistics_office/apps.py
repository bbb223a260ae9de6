from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsOfficeConfig(AppConfig):
    name = "statistics_office"
    verbose_name = _("Statistikstelle")
