from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DepartmentsConfig(AppConfig):
    name = "departments"
    verbose_name = _("Fachbereiche und Datenquellen")

    def ready(self):
        from django.db.models.signals import post_migrate

        from bif.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="bif-ensure-roles")
