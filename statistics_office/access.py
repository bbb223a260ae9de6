"""One question for every view, API, task and command of the statistics office:
may this person do this with this data source's microdata now?

Answered from the person's grants at access time (see statistics_office.grants), so an
expired or revoked grant or a lapsed pledge/training stops working at once.
"""

VIEW_MICRODATA = "view_microdata"
EXPORT_MICRODATA = "export_microdata"
DEFINE_TABLES = "define_tables"
PUBLISH_TABLES = "publish_tables"


def may(user, permission, source):
    if user is None or not user.is_authenticated:
        return False
    from .grants import has_grant

    return has_grant(user, source, permission)


def sources_for(user, permission):
    """Data sources on which `user` currently holds `permission` (one query)."""
    from departments.models import DataSource

    if user is None or not user.is_authenticated:
        return DataSource.objects.none()
    from .grants import granted_sources

    return granted_sources(user, permission)


def purpose(user, permission, source):
    """The stated purpose of the grant under which `user` acts now (for the audit log)."""
    from django.utils import timezone

    from .grants import effective_q
    from .models import Grant

    grant = (
        Grant.objects.filter(
            effective_q(timezone.localdate()),
            user_id=user.pk,
            source_id=source.pk,
            permission=permission,
        )
        .order_by("-valid_until")
        .first()
    )
    return grant.purpose if grant else ""


def reviewable_sources(user):
    """Sources whose import runs `user` may follow and review: a statistician's sources with a
    current microdata view grant (registered with departments.selectors at start)."""
    from bif import roles
    from departments.models import DataSource

    if user is None or not user.is_authenticated or not roles.has_role(user, roles.STATISTICIAN):
        return DataSource.objects.none()
    return sources_for(user, VIEW_MICRODATA)


def may_review(user, source):
    """Reviewing an import's plausibility means looking at the data: a statistician with a
    view grant on the source."""
    from bif import roles

    if user is None or not user.is_authenticated:
        return False
    return roles.has_role(user, roles.STATISTICIAN) and may(user, VIEW_MICRODATA, source)


def reviewers_for(source):
    """The people of the office who may review an import of `source` now: statisticians
    with an effective microdata grant on it (none for a source nobody was granted yet)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from bif import roles

    from .grants import effective_q
    from .models import Grant

    granted = Grant.objects.filter(
        effective_q(timezone.localdate()), source=source, permission=VIEW_MICRODATA
    ).values("user_id")
    candidates = (
        get_user_model()
        .objects.filter(pk__in=granted, groups__name=roles.STATISTICIAN, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
    return [user for user in candidates if may(user, VIEW_MICRODATA, source)]


def grant_approvers():
    """Who can give a first grant on a source: the administration (four eyes)."""
    from django.contrib.auth import get_user_model

    from bif import roles

    return list(
        get_user_model()
        .objects.filter(groups__name=roles.ADMINISTRATION, is_active=True)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
