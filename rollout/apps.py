from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RolloutConfig(AppConfig):
    name = "rollout"
    label = "rollout"
    verbose_name = _("Einführung (Rollout)")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_default_template, sender=self, dispatch_uid="bif-rollout")
        _register_builtin_dashboard()


def _register_builtin_dashboard():
    from dashboards import builtin

    from .selectors import may_view_overview

    builtin.register(
        builtin.BuiltIn(
            url_name="rollout:dashboard",
            title=_("Stand der Einführung"),
            description=_(
                "Fachbereiche und Datenquellen mit ihrer Einführungsstufe, dem Fortschritt der "
                "Checklisten und der Zeitleiste der Stufenwechsel."
            ),
            visible_to=may_view_overview,
        )
    )


def _ensure_default_template(sender, **kwargs):
    """The shipped templates, also after a test database flush (which runs post_migrate)."""
    import importlib

    from django.apps import apps

    templates = apps.get_model("rollout", "ChecklistTemplate").objects
    for scope, module in (
        ("source", "0002_default_template"),
        ("department", "0004_default_department_template"),
    ):
        if not templates.filter(scope=scope).exists():
            migration = importlib.import_module(f"rollout.migrations.{module}")
            migration.create_default(apps, None)
