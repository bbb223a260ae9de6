"""Telling the office that a run waits for a review nobody can give yet.

A run of a new source waits for review by a statistician with a grant on it; before the
first grant there is nobody. The office and the administration get a mail naming the source
and the run (no figures), so the wait ends with a grant instead of going unnoticed.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils.translation import gettext as _

from bif import roles
from statistics_office import access

logger = logging.getLogger(__name__)


def tell_office_if_nobody_can_review(run) -> bool:
    """Mail the office and the administration when no one may review `run`; True if sent."""
    if access.reviewers_for(run.source):
        return False
    recipients = sorted(
        {
            user.email
            for user in get_user_model().objects.filter(
                groups__name__in=[roles.STATISTICIAN, roles.ADMINISTRATION], is_active=True
            )
            if user.email
        }
    )
    logger.warning(
        "import run %s of source %s waits for a reviewer with a grant", run.pk, run.source_id
    )
    if not recipients:
        return False
    params = {"source": run.source.name, "run": run.pk}
    send_mail(
        _("BIF: Import %(run)s von „%(source)s“ wartet auf eine Prüfung") % params,
        _(
            "Der Import %(run)s der Datenquelle „%(source)s“ hat Hinweise der "
            "Plausibilisierung und wartet auf eine Prüfung. Für diese Datenquelle hat noch "
            "niemand in der Statistikstelle eine Freigabe zum Einsehen der Einzeldaten; bitte "
            "eine Freigabe beantragen und durch die Administration bestätigen lassen."
        )
        % params,
        getattr(settings, "DEFAULT_FROM_EMAIL", None),
        recipients,
        fail_silently=True,
    )
    return True
