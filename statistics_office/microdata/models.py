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
    # {schema field name: SQL column name} and the field types. PostgreSQL's jsonb does not
    # keep the order of keys, so the schema order is kept as a list of its own.
    columns = models.JSONField(_("Spalten"), default=dict)
    field_types = models.JSONField(_("Feldtypen"), default=dict)
    field_order = models.JSONField(_("Feldreihenfolge"), default=list)
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

    def save(self, *args, **kwargs):
        if not self.field_order:
            self.field_order = list(self.columns)
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        version = super().from_db(db, field_names, values)
        if not {"columns", "field_types", "field_order"} <= set(field_names):
            return version  # a deferred load: reorder nothing rather than query again
        version.columns = _in_order(version.columns, version.field_order)
        version.field_types = _in_order(version.field_types, version.field_order)
        return version


def _in_order(mapping, order):
    """The mapping with its keys in schema order (keys the order does not name come last)."""
    if not isinstance(mapping, dict) or not order:
        return mapping
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(mapping.items(), key=lambda item: rank.get(item[0], len(rank))))


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
