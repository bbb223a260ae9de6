"""Grants (Freigaben) and pledges of the statistics office: the one way to write them, and
the one way to ask whether a grant is in effect.

Access is answered at access time from the Grant table (in its period, approved, not revoked,
member pledged and trained) AND the guardian permission row on the data source. The guardian
row is kept in step by the services here and by `expire_grants` (Celery beat); because both
must hold, an expired or revoked grant stops working at once, before the beat task runs.

Superusers get NO implicit access to microdata or table permissions here: statistical secrecy
binds them too. A superuser who needs microdata gets a grant like everyone else.
"""

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from bif import audit, roles
from departments.models import DataSource, DataSourceUserObjectPermission

from .grant_selectors import (  # noqa: F401 - the one way to ask keeps its names here
    GrantError,
    _codename,
    _current,
    _grants,
    _permission_rows,
    _today,
    active_q,
    effective_q,
    grant_overview,
    granted_sources,
    grants_for_source,
    grants_for_user,
    has_grant,
    member_of,
    office_members,
    pending_approvals,
    qualified_q,
)
from .models import Grant, GrantPermission, OfficeMember

FOUR_EYES_MESSAGE = _(
    "Eine Freigabe von Einzeldaten muss eine zweite Person aus der Administration bestätigen."
)


# --- services -------------------------------------------------------------------------------


def _require_administration(person, message=None):
    if person is None or not roles.has_role(person, roles.ADMINISTRATION):
        raise GrantError(
            message or _("Nur Personen aus der Administration dürfen Freigaben verwalten.")
        )


def record_pledge(
    member_user,
    *,
    pledge_date,
    training_date,
    training_valid_until,
    by,
    pledge_reference=None,
    notes=None,
):
    """Record a member's pledge to statistical secrecy and training; returns the OfficeMember.

    `pledge_reference` and `notes` are kept as they are when not given. The member's grants
    take or lose effect at once.
    """
    _require_administration(by, _("Verpflichtungen und Schulungen erfasst nur die Administration."))
    if training_date and training_valid_until and training_valid_until < training_date:
        raise GrantError(_("„Schulung gültig bis“ liegt vor dem Datum der Schulung."))
    with transaction.atomic():
        member, created = OfficeMember.objects.select_for_update().get_or_create(user=member_user)
        member.pledge_date = pledge_date
        member.training_date = training_date
        member.training_valid_until = training_valid_until
        if pledge_reference is not None:
            member.pledge_reference = pledge_reference
        if notes is not None:
            member.notes = notes
        member.save()
        audit.record(
            action=audit.Action.PLEDGE_RECORDED,
            user=by,
            obj=member,
            details={
                "member": member_user.get_username(),
                "created": created,
                "pledge_date": pledge_date,
                "training_date": training_date,
                "training_valid_until": training_valid_until,
            },
        )
        today = _today()
        _record_lapses(Grant.objects.filter(user=member_user), today)
        triples = (
            Grant.objects.filter(user=member_user)
            .filter(active_q())
            .values_list("source_id", "permission")
            .distinct()
        )
        for source_id, permission in triples:
            _sync_permission(member_user.pk, source_id, permission, today)
    return member


def request_grant(
    *, user, source, permission, purpose, legal_basis, valid_from, valid_until, granted_by
):
    """Grant `permission` on `source` to `user`; returns the Grant.

    Microdata permissions wait for a second administrator (`approve_grant`); table
    permissions take effect at once.
    """
    _require_administration(granted_by)
    codename = _codename(permission)
    if user.pk == granted_by.pk:
        raise GrantError(_("Niemand kann sich selbst eine Freigabe erteilen."))
    if not roles.has_role(user, roles.STATISTICIAN):
        raise GrantError(
            _(
                "Freigaben erhalten nur Personen mit der Rolle „Statistikstelle“; "
                "%(user)s hat sie nicht."
            )
            % {"user": user.get_username()}
        )
    if not (purpose or "").strip():
        raise GrantError(_("Bitte den Zweck der Freigabe angeben."))
    if not (legal_basis or "").strip():
        raise GrantError(_("Bitte die Rechtsgrundlage der Freigabe angeben."))
    if valid_from is None or valid_until is None:
        raise GrantError(_("Bitte Beginn und Ende der Freigabe angeben."))
    if valid_from > valid_until:
        raise GrantError(_("Das Ende der Freigabe liegt vor ihrem Beginn."))
    if valid_until < _today():
        raise GrantError(_("Das Ende der Freigabe liegt in der Vergangenheit."))

    with transaction.atomic():
        grant = Grant.objects.create(
            user=user,
            source=source,
            permission=codename,
            purpose=purpose.strip(),
            legal_basis=legal_basis.strip(),
            valid_from=valid_from,
            valid_until=valid_until,
            granted_by=granted_by,
        )
        audit.record(
            action=audit.Action.GRANT_CREATED,
            user=granted_by,
            obj=grant,
            source=source,
            purpose=grant.purpose,
            details=_grant_details(grant),
        )
        if not grant.needs_approval:
            _sync_permission(user.pk, source.pk, codename, _today())
    return grant


def approve_grant(grant, *, approver):
    """The second administrator's approval of a microdata grant (four eyes)."""
    if (
        approver is None
        or approver.pk == grant.granted_by_id
        or not roles.has_role(approver, roles.ADMINISTRATION)
    ):
        audit.record(
            action=audit.Action.GRANT_APPROVED,
            user=approver,
            obj=grant,
            source=grant.source,
            outcome=audit.Outcome.DENIED,
            details={**_grant_details(grant), "reason": "four_eyes"},
        )
        raise GrantError(FOUR_EYES_MESSAGE)
    if approver.pk == grant.user_id:
        raise GrantError(_("Niemand kann eine Freigabe für sich selbst bestätigen."))
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if not grant.needs_approval:
            raise GrantError(_("Diese Freigabe braucht keine Bestätigung."))
        if grant.revoked_at is not None:
            raise GrantError(_("Diese Freigabe wurde widerrufen und kann nicht bestätigt werden."))
        if grant.approved_at is not None:
            raise GrantError(_("Diese Freigabe ist bereits bestätigt."))
        if grant.valid_until < _today():
            raise GrantError(_("Diese Freigabe ist abgelaufen und kann nicht bestätigt werden."))
        grant.approved_by = approver
        grant.approved_at = timezone.now()
        grant.save(update_fields=["approved_by", "approved_at"])
        _changed(grant, audit.Action.GRANT_APPROVED, approver)
    return grant


def _changed(grant, action, user):
    """A grant changed: the audit entry, then the guardian row follows the grants."""
    audit.record(
        action=action,
        user=user,
        obj=grant,
        source=grant.source,
        purpose=grant.purpose,
        details=_grant_details(grant),
    )
    _sync_permission(grant.user_id, grant.source_id, grant.permission, _today())


def revoke_grant(grant, *, by, reason):
    """Revoke a grant at once; the guardian row goes unless another grant still holds it."""
    _require_administration(by)
    if not (reason or "").strip():
        raise GrantError(_("Bitte einen Grund für den Widerruf angeben."))
    with transaction.atomic():
        grant = Grant.objects.select_for_update().get(pk=grant.pk)
        if grant.revoked_at is not None:
            raise GrantError(_("Diese Freigabe ist bereits widerrufen."))
        grant.revoked_at = timezone.now()
        grant.revoked_by = by
        grant.revoke_reason = reason.strip()
        grant.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _changed(grant, audit.Action.GRANT_REVOKED, by)
    return grant


def expire_grants(today=None):
    """Bring the guardian rows in line with the grants in effect; returns the rows removed.

    Idempotent, for Celery beat. Each grant that ran out or whose member's pledge or
    training lapsed is written to the audit log once (GRANT_EXPIRED). Rows for grants that
    came into effect (start date reached, training renewed) are added.
    """
    day = _today(today)
    _record_lapses(Grant.objects.all(), day)

    codenames = GrantPermission.values
    rows = DataSourceUserObjectPermission.objects.filter(
        permission__content_type__app_label="departments", permission__codename__in=codenames
    )
    present = {
        (user_id, source_id, codename): pk
        for pk, user_id, source_id, codename in rows.values_list(
            "pk", "user_id", "content_object_id", "permission__codename"
        )
    }
    wanted = set(
        Grant.objects.filter(effective_q(day)).values_list("user_id", "source_id", "permission")
    )
    stale = [pk for triple, pk in present.items() if triple not in wanted]
    removed = 0
    if stale:
        removed, _deleted = DataSourceUserObjectPermission.objects.filter(pk__in=stale).delete()
    missing = wanted - present.keys()
    if missing:
        perms = {
            p.codename: p
            for p in Permission.objects.filter(
                content_type__app_label="departments", codename__in=codenames
            )
        }
        DataSourceUserObjectPermission.objects.bulk_create(
            [
                DataSourceUserObjectPermission(
                    user_id=user_id, content_object_id=source_id, permission=perms[codename]
                )
                for user_id, source_id, codename in missing
            ],
            ignore_conflicts=True,
        )
    _clear_lapse_marks(Grant.objects.all(), day)
    return removed


# --- internals ------------------------------------------------------------------------------


def _grant_details(grant):
    # Names and dates only; never anything from the microdata.
    return {
        "grant": grant.pk,
        "person": grant.user.get_username(),
        "permission": grant.permission,
        "valid_from": grant.valid_from,
        "valid_until": grant.valid_until,
        "granted_by": grant.granted_by.get_username(),
        "legal_basis": grant.legal_basis[:200],
    }


def _sync_permission(user_id, source_id, permission, day):
    """The guardian row for (user, source, permission) exists iff an effective grant does."""
    in_effect = Grant.objects.filter(
        effective_q(day), user_id=user_id, source_id=source_id, permission=permission
    ).exists()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(pk=user_id)
    source = DataSource.objects.get(pk=source_id)
    if in_effect:
        assign_perm(f"departments.{permission}", user, source)
        _clear_lapse_marks(
            Grant.objects.filter(user_id=user_id, source_id=source_id, permission=permission), day
        )
    else:
        remove_perm(f"departments.{permission}", user, source)
    return in_effect


def _clear_lapse_marks(grants, day):
    # A grant back in effect (training renewed) may lapse again later; that is recorded anew.
    grants.filter(effective_q(day), expired_recorded_at__isnull=False).update(
        expired_recorded_at=None
    )


def _record_lapses(grants, day):
    """Audit GRANT_EXPIRED once for each started, active grant that is no longer in effect."""
    lapsed = (
        grants.filter(active_q(), valid_from__lte=day, expired_recorded_at__isnull=True)
        .exclude(Q(valid_until__gte=day) & qualified_q(day, "user__"))
        .select_related("user", "source", "granted_by")
    )
    count = 0
    for grant in lapsed:
        with transaction.atomic():
            # Claim with a conditional UPDATE: two runs at once record each lapse once.
            claimed = Grant.objects.filter(pk=grant.pk, expired_recorded_at__isnull=True).update(
                expired_recorded_at=timezone.now()
            )
            if not claimed:
                continue
            reason = "ended" if grant.valid_until < day else "not_qualified"
            audit.record(
                action=audit.Action.GRANT_EXPIRED,
                user=None,
                obj=grant,
                source=grant.source,
                purpose=grant.purpose,
                details={**_grant_details(grant), "reason": reason},
            )
            count += 1
    return count
