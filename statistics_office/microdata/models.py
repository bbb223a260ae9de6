"""Sealed models: they live only in the statistics office's database.

No foreign key crosses the seal: references to portal objects (data source, import run)
are plain integer ids.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MicrodataVersion(models.Model):
    """One loaded import of a data source: a typed table in the sealed database."""

    source_id = models.PositiveBigIntegerField(_("Datenquelle (ID)"), db_index=True)
    import_run_id = models.PositiveBigIntegerField(_("Importlauf (ID)"), unique=True)
    table_name = models.CharField(_("Tabelle"), max_length=63, unique=True)
    row_count = models.PositiveBigIntegerField(_("Datensätze"), default=0)
    reference_date = models.DateField(_("Stichtag"), null=True, blank=True)
    # {schema field name: SQL column name}, in schema order, and the field types.
    columns = models.JSONField(_("Spalten"), default=dict)
    field_types = models.JSONField(_("Feldtypen"), default=dict)
    is_current = models.BooleanField(_("aktuelle Version"), default=False)
    created_at = models.DateTimeField(_("geladen am"), auto_now_add=True)

    class Meta:
        ordering = ["source_id", "-created_at"]
        verbose_name = _("Einzeldatenversion")
        verbose_name_plural = _("Einzeldatenversionen")
        constraints = [
            models.UniqueConstraint(
                fields=["source_id"],
                condition=models.Q(is_current=True),
                name="one_current_version_per_source",
            )
        ]

    def __str__(self):
        return f"{self.table_name} ({self.row_count})"


class RunReport(models.Model):
    """What an import run derived from its file: findings (they quote values) and the
    profile (minimum, maximum, category counts). Sealed, because it is microdata; the portal's
    ImportRun keeps only counts of findings by rule."""

    import_run_id = models.PositiveBigIntegerField(_("Importlauf (ID)"), unique=True)
    findings = models.JSONField(_("Befunde"), default=list, blank=True)
    profile = models.JSONField(_("Profil"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Prüfbericht eines Imports")
        verbose_name_plural = _("Prüfberichte der Importe")

    def __str__(self):
        return f"run {self.import_run_id}"
