from django.apps import AppConfig


class BifConfig(AppConfig):
    name = "bif"
    verbose_name = "BIF"

    def ready(self):
        from axes.signals import user_locked_out

        from .security import audit_lockout

        user_locked_out.connect(audit_lockout, dispatch_uid="bif-audit-lockout")
