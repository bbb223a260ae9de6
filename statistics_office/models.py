"""The statistics office's records kept in the portal database (people, grants, audit).

Microdata itself lives in the sealed database: see statistics_office/microdata.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    MICRODATA_VIEW = "microdata_view", _("Einzeldaten angesehen")
    MICRODATA_FILTER = "microdata_filter", _("Einzeldaten gefiltert")
    MICRODATA_EXPORT = "microdata_export", _("Einzeldaten exportiert")
    AGGREGATION_RUN = "aggregation_run", _("Auswertung berechnet")
    GRANT_CREATED = "grant_created", _("Freigabe beantragt")
    GRANT_APPROVED = "grant_approved", _("Freigabe bestätigt")
    GRANT_REVOKED = "grant_revoked", _("Freigabe widerrufen")
    GRANT_EXPIRED = "grant_expired", _("Freigabe abgelaufen")
    PLEDGE_RECORDED = "pledge_recorded", _("Verpflichtung erfasst")
    TABLE_REVIEW = "table_review", _("Tabelle geprüft")
    PUBLICATION = "publication", _("Tabelle veröffentlicht")
    PUBLICATION_WITHDRAWN = "publication_withdrawn", _("Veröffentlichung zurückgezogen")
    IMPORT_REVIEW = "import_review", _("Import geprüft")
    IMPORT_ROLLBACK = "import_rollback", _("Import zurückgenommen")
    ACCESS_DENIED = "access_denied", _("Zugriff verweigert")
    LOGIN_FAILED = "login_failed", _("Anmeldung fehlgeschlagen")
    AUDIT_LOG_EXPORT = "audit_log_export", _("Audit-Log exportiert")


class AuditOutcome(models.TextChoices):
    OK = "ok", _("erfolgreich")
    DENIED = "denied", _("abgelehnt")
    FAILED = "failed", _("fehlgeschlagen")


class AuditEntry(models.Model):
    """One line of the append-only audit log; written only by statistics_office.audit.record.

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
