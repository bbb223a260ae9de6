from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatisticsOfficeConfig(AppConfig):
    name = "statistics_office"
    verbose_name = _("Statistikstelle")

    def ready(self):
        from django.contrib.auth.signals import user_login_failed

        user_login_failed.connect(_audit_failed_login, dispatch_uid="bif-audit-login-failed")

        # The department side lists import runs for their reviewers; who they are is the
        # office's answer (its grants), so the office tells it (departments sits below).
        from departments import selectors

        from . import access

        selectors.register_reviewers(access)


def _audit_failed_login(sender, credentials, request=None, **kwargs):
    from bif import audit

    audit.record(
        action=audit.Action.LOGIN_FAILED,
        outcome=audit.Outcome.DENIED,
        request=request,
        details={"username": str(credentials.get("username", ""))[:150]},
    )
