from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MicrodataConfig(AppConfig):
    """The only app whose tables live in the sealed database (see bif/db_router.py)."""

    name = "statistics_office.microdata"
    label = "microdata"
    verbose_name = _("Einzeldaten (abgeschottet)")

    def ready(self):
        # The department side shows a run's findings; they are sealed, so it learns from
        # here where to read them (departments may not import the sealed side).
        from departments import selectors

        from . import reports

        selectors.register_run_reports(reports)
