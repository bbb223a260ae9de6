"""Reads of grants: which grants are in effect, for whom, on which sources (selectors).

The writes (request, approve, revoke, expire) are in statistics_office/grants.py, which also
re-exports these names: `grants.has_grant` stays the one question services ask.
"""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bif import roles
from departments.models import DataSource, DataSourceUserObjectPermission

from .models import MICRODATA_PERMISSIONS, Grant, GrantPermission, OfficeMember


class GrantError(Exception):
    """A rule of the grant procedure was broken; the message is for people (German)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = str(message)


# --- filters --------------------------------------------------------------------------------


def qualified_q(day, prefix=""):
    """Filter on the member's pledge and training being current on `day`."""
    return Q(
        **{
            f"{prefix}office_member__pledge_date__lte": day,
            f"{prefix}office_member__training_valid_until__gte": day,
        }
    )


def active_q():
    """Grants that are approved where needed and not revoked (whatever their period)."""
    return Q(revoked_at__isnull=True) & (
        Q(approved_at__isnull=False) | ~Q(permission__in=MICRODATA_PERMISSIONS)
    )


def effective_q(day):
    """Grants in effect on `day`: active, in their period, member qualified."""
    return active_q() & Q(valid_from__lte=day, valid_until__gte=day) & qualified_q(day, "user__")


def _permission_rows(codename):
    return DataSourceUserObjectPermission.objects.filter(
        permission__content_type__app_label="departments",
        permission__codename=codename,
    )


def _today(today=None):
    return today or timezone.localdate()


def _codename(permission):
    try:
        return GrantPermission(permission).value
    except ValueError:
        raise GrantError(_("Unbekannte Berechtigung: %(p)s") % {"p": permission})


# --- selectors ------------------------------------------------------------------------------


def has_grant(user, source, permission):
    """Whether `user` may use `permission` on `source` now (one query).

    Needs an effective grant in the Grant table and the guardian row. No exception for
    superusers (statistical secrecy applies to them too).
    """
    if user is None or not user.is_authenticated:
        return False
    codename = _codename(permission)
    row = _permission_rows(codename).filter(
        user_id=OuterRef("user_id"), content_object_id=OuterRef("source_id")
    )
    return (
        Grant.objects.filter(
            effective_q(_today()), user_id=user.pk, source_id=source.pk, permission=codename
        )
        .filter(Exists(row))
        .exists()
    )


def granted_sources(user, permission):
    """Data sources on which `user` holds `permission` now; one query, no per-object checks.

    Like `has_grant`, superusers get nothing without a grant.
    """
    if user is None or not user.is_authenticated:
        return DataSource.objects.none()
    codename = _codename(permission)
    granted = Grant.objects.filter(
        effective_q(_today()), user_id=user.pk, permission=codename
    ).values("source_id")
    with_row = _permission_rows(codename).filter(user_id=user.pk).values("content_object_id")
    return (
        DataSource.objects.filter(id__in=granted)
        .filter(id__in=with_row)
        .select_related("department")
        .order_by("department__name", "name")
    )


def _grants():
    return Grant.objects.select_related(
        "user",
        "user__office_member",
        "source",
        "source__department",
        "granted_by",
        "approved_by",
        "revoked_by",
    )


def _current(grants, today=None):
    # Current: not revoked and not yet ended (in effect, pending, or starting later).
    return grants.filter(revoked_at__isnull=True, valid_until__gte=_today(today))


def grants_for_user(user, *, current_only=False):
    grants = _grants().filter(user=user)
    if current_only:
        grants = _current(grants)
    return grants.order_by("source__name", "permission", "-valid_until")


def grants_for_source(source, *, current_only=False):
    grants = _grants().filter(source=source)
    if current_only:
        grants = _current(grants)
    return grants.order_by("user__username", "permission", "-valid_until")


def grant_overview(*, person=None, source=None, include_ended=False):
    """The grants for the administration's list, optionally for one person or one source."""
    grants = _grants()
    if person is not None:
        grants = grants.filter(user=person)
    if source is not None:
        grants = grants.filter(source=source)
    if not include_ended:
        grants = _current(grants)
    return grants.order_by("user__username", "source__name", "permission", "-valid_until")


def pending_approvals():
    """Microdata grants waiting for a second administrator, oldest first."""
    return (
        _grants()
        .filter(
            permission__in=MICRODATA_PERMISSIONS,
            approved_at__isnull=True,
            revoked_at__isnull=True,
            valid_until__gte=_today(),
        )
        .order_by("created_at", "pk")
    )


def office_members():
    """People of the statistics office (role Statistikstelle) with their pledge records."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(groups__name=roles.STATISTICIAN)
        .select_related("office_member")
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


def member_of(user):
    return OfficeMember.objects.filter(user=user).first()
