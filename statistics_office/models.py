"""The statistics office's records kept in the portal database (people, grants, audit).

Microdata itself lives in the sealed database: see statistics_office/microdata.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bif.audit import Action, Outcome

# The audit log's actions and outcomes belong to the log itself (bif/audit.py).
AuditAction, AuditOutcome = Action, Outcome


class AuditEntry(models.Model):
    """One line of the append-only audit log; written only by bif.audit.record.

    The database refuses UPDATE and DELETE (migration 0002), except setting `user` or
    `source` to NULL when that person or data source is deleted. That is why the
    readable copies (`username`, `source_label`) are what the hash covers and what pages
    show; the foreign keys are only links for convenience.
    """

    sequence = models.PositiveBigIntegerField(_("Nr."), unique=True, editable=False)
    created_at = models.DateTimeField(_("Zeitpunkt"), db_index=True, editable=False)
    action = models.CharField(_("Aktion"), max_length=40, choices=AuditAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Benutzer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("Benutzername"), max_length=150, blank=True, db_index=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("Objekttyp"),
        # An audited kind of object must not vanish from under the log.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("Objekt"), max_length=300, blank=True)
    source = models.ForeignKey(
        "departments.DataSource",
        verbose_name=_("Datenquelle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    source_label = models.CharField(_("Datenquelle"), max_length=300, blank=True)
    purpose = models.TextField(_("Zweck"), blank=True)
    outcome = models.CharField(
        _("Ergebnis"), max_length=20, choices=AuditOutcome.choices, default=AuditOutcome.OK
    )
    details = models.JSONField(_("Details"), default=dict, blank=True)
    # Text, not inet: the hash needs the address back exactly as it was written.
    ip_address = models.CharField(_("IP-Adresse"), max_length=45, blank=True)
    previous_hash = models.CharField(_("Prüfsumme des Vorgängers"), max_length=64)
    entry_hash = models.CharField(_("Prüfsumme"), max_length=64, unique=True)

    class Meta:
        verbose_name = _("Audit-Eintrag")
        verbose_name_plural = _("Audit-Log")
        ordering = ["-sequence"]
        indexes = [
            models.Index(fields=["action", "created_at"], name="audit_action_time"),
            models.Index(fields=["content_type", "object_id"], name="audit_object"),
        ]

    def __str__(self):
        return f"#{self.sequence} {self.get_action_display()} ({self.username or '–'})"


class AuditHead(models.Model):
    """The last sequence number and hash written: the high-water mark of the audit log.

    Without it, deleting the newest entries would leave a shorter chain that still links up.
    It is updated in the same transaction as each new entry. A database superuser could
    edit it as well (and drop the triggers); the log is tamper-evident against everyone
    else, and against a superuser only as far as copies of the head (backups, the
    verification output kept by operations) reach.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    entry_hash = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Stand des Audit-Logs")
        verbose_name_plural = _("Stand des Audit-Logs")

    def __str__(self):
        return f"#{self.sequence} {self.entry_hash[:12]}"


class OfficeMember(models.Model):
    """A member of the sealed statistics office (Mitglied der Statistikstelle).

    Microdata grants only work while the member is pledged to statistical secrecy
    (Verpflichtung auf das Statistikgeheimnis) and the data-protection training is current.
    Written only by statistics_office.grants.record_pledge, which audits every change.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="office_member",
    )
    pledge_date = models.DateField(
        _("Verpflichtung auf das Statistikgeheimnis am"), null=True, blank=True
    )
    pledge_reference = models.CharField(
        _("Aktenzeichen der Verpflichtung"), max_length=200, blank=True
    )
    training_date = models.DateField(_("Schulung am"), null=True, blank=True)
    training_valid_until = models.DateField(_("Schulung gültig bis"), null=True, blank=True)
    notes = models.TextField(_("Bemerkungen"), blank=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Mitglied der Statistikstelle")
        verbose_name_plural = _("Mitglieder der Statistikstelle")
        ordering = ["user__username"]

    def __str__(self):
        return self.user.get_full_name() or self.user.get_username()

    def is_qualified(self, on=None):
        """Pledged on or before `on` (default: today) and trained, with the training still valid."""
        day = on or timezone.localdate()
        return (
            self.pledge_date is not None
            and self.pledge_date <= day
            and self.training_valid_until is not None
            and self.training_valid_until >= day
        )


class GrantPermission(models.TextChoices):
    # The values are the guardian codenames on departments.DataSource.
    VIEW_MICRODATA = "view_microdata", _("Einzeldaten einsehen")
    EXPORT_MICRODATA = "export_microdata", _("Einzeldaten exportieren")
    DEFINE_TABLES = "define_tables", _("Tabellen definieren")
    PUBLISH_TABLES = "publish_tables", _("Tabellen veröffentlichen")


# Access to individual records needs a second administrator's approval (four eyes).
MICRODATA_PERMISSIONS = frozenset(
    {GrantPermission.VIEW_MICRODATA, GrantPermission.EXPORT_MICRODATA}
)


class GrantStatus(models.TextChoices):
    EFFECTIVE = "effective", _("wirksam")
    PENDING = "pending", _("wartet auf Bestätigung")
    NOT_YET_VALID = "not_yet_valid", _("noch nicht gültig")
    NOT_QUALIFIED = "not_qualified", _("Verpflichtung oder Schulung fehlt")
    ENDED = "ended", _("abgelaufen")
    REVOKED = "revoked", _("widerrufen")


class Grant(models.Model):
    """A grant (Freigabe): one person, one data source, one permission, a purpose, a period.

    Written only through statistics_office.grants; the guardian permission row on the data
    source mirrors whether the grant is in effect, but access is always checked against this
    table as well, so an expired or revoked grant stops working at once.
    """

    Permission = GrantPermission
    Status = GrantStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Person"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    source = models.ForeignKey(
        "departments.DataSource",
        verbose_name=_("Datenquelle"),
        on_delete=models.CASCADE,
        related_name="grants",
    )
    permission = models.CharField(_("Berechtigung"), max_length=30, choices=Permission.choices)
    purpose = models.TextField(_("Zweck"))
    legal_basis = models.TextField(_("Rechtsgrundlage"))
    valid_from = models.DateField(_("gültig ab"))
    valid_until = models.DateField(_("gültig bis"))
    # Who granted and who approved stay on record: administrators are deactivated, not deleted.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erteilt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("erteilt am"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("bestätigt von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("bestätigt am"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("widerrufen von"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoke_reason = models.TextField(_("Grund des Widerrufs"), blank=True)
    # Set when the lapse was written to the audit log, so expire_grants records it once.
    expired_recorded_at = models.DateTimeField(
        _("Ablauf protokolliert am"), null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("Freigabe")
        verbose_name_plural = _("Freigaben")
        ordering = ["user__username", "source__name", "permission", "-valid_until"]
        indexes = [
            models.Index(fields=["user", "source", "permission"], name="grant_user_source_perm"),
            models.Index(fields=["valid_until"], name="grant_valid_until"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_from__lte=models.F("valid_until")),
                name="grant_valid_from_not_after_until",
                violation_error_message=_("Das Ende der Freigabe liegt vor ihrem Beginn."),
            ),
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("granted_by")),
                name="grant_approver_is_not_granter",
                violation_error_message=_(
                    "Eine Freigabe von Einzeldaten muss eine zweite Person aus der "
                    "Administration bestätigen."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.get_permission_display()}: {self.source} – {self.user}"

    @property
    def needs_approval(self):
        return self.permission in MICRODATA_PERMISSIONS

    @property
    def is_approved(self):
        return not self.needs_approval or self.approved_at is not None

    def member(self):
        try:
            return self.user.office_member
        except OfficeMember.DoesNotExist:
            return None

    def status(self, on=None):
        day = on or timezone.localdate()
        if self.revoked_at is not None:
            return GrantStatus.REVOKED
        if self.valid_until < day:
            return GrantStatus.ENDED
        if not self.is_approved:
            return GrantStatus.PENDING
        if self.valid_from > day:
            return GrantStatus.NOT_YET_VALID
        member = self.member()
        if member is None or not member.is_qualified(day):
            return GrantStatus.NOT_QUALIFIED
        return GrantStatus.EFFECTIVE

    def is_effective(self, on=None):
        """Approved (if needed), not revoked, within its period, and the member qualified."""
        return self.status(on) == GrantStatus.EFFECTIVE
