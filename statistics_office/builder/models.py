"""The table builder's catalogue (the office's: what a query may touch), the queries staff
ran (job rows holding only protected cells), saved queries and proposals for publication.

All in the portal database: no microdata, no unprotected count ever lands here.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bif.jobs import Job


class Catalogue(models.Model):
    """What staff may ask of one source. ``items``: one entry per offered classification,
    ``{"key": "stadtteil", "label": "Stadtteil", "group": "gebiet", "filter": true,
    "dimension": {"field": "Stadtteil", "kind": "code"}}``; items of one ``group`` (e.g. two
    age classifications of the birth date) never appear together in a table."""

    source = models.OneToOneField(
        "departments.DataSource",
        verbose_name=_("Datenquelle"),
        on_delete=models.CASCADE,
        related_name="builder_catalogue",
    )
    enabled = models.BooleanField(_("im Tabellenbaukasten angeboten"), default=True)
    items = models.JSONField(_("angebotene Merkmale"), default=list)
    max_dimensions = models.PositiveSmallIntegerField(_("höchstens Merkmale je Tabelle"), default=3)
    max_cells = models.PositiveIntegerField(_("höchstens Felder je Tabelle"), default=2000)
    # [["stadtteil", "nationalitaet"]]: these items never together in one table
    excluded_combinations = models.JSONField(
        _("ausgeschlossene Kombinationen"), default=list, blank=True
    )
    min_filter_population = models.PositiveIntegerField(
        _("Mindestzahl der Fälle nach Filter"), default=100
    )
    # The office's perturbation table by name (tables.OfficePerturbationTable); empty: the
    # generated default (D, V, js as in statistics_office.tables.protection.DEFAULTS).
    ptable = models.CharField(_("Überlagerungstabelle"), max_length=80, blank=True)
    max_sparse_share = models.FloatField(_("höchster Anteil kleiner Felder"), default=0.5)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    # The settings besides the items and exclusions (form, service and audit entry).
    LIMITS = (
        "enabled",
        "max_dimensions",
        "max_cells",
        "min_filter_population",
        "max_sparse_share",
        "ptable",
    )

    class Meta:
        verbose_name = _("Katalog des Tabellenbaukastens")
        verbose_name_plural = _("Kataloge des Tabellenbaukastens")

    def __str__(self):
        return str(self.source)


class BuilderQuery(Job):
    """One query: created when asked, run by the sealed worker, holding the protected cells."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in Warteschlange")
        RUNNING = "running", _("läuft")
        DONE = "done", _("fertig")
        REFUSED = "refused", _("abgelehnt")
        FAILED = "failed", _("fehlgeschlagen")

    class Refusal(models.TextChoices):
        NONE = "", _("keine")
        BUDGET = "budget", _("Tageskontingent erschöpft")
        CATALOGUE = "catalogue", _("nicht im Katalog")
        RELATED = "related", _("zu viele verwandte Abfragen")
        ISOLATION = "isolation", _("Filter isoliert zu wenige Fälle")
        POPULATION = "population", _("zu wenige Fälle nach Filter")
        SPARSE = "sparse", _("zu dünn besetzt")
        SIZE = "size", _("zu viele Felder")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("gefragt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.ForeignKey(
        "departments.DataSource",
        verbose_name=_("Datenquelle"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # {"rows": [item keys], "columns": [item keys], "filters": [{"item": key, "values": [...]}]}
    spec = models.JSONField(_("Abfrage"), default=dict)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    refusal = models.CharField(
        _("Ablehnungsgrund"), max_length=12, choices=Refusal.choices, blank=True, default=""
    )
    created_at = models.DateTimeField(_("gefragt am"), auto_now_add=True, db_index=True)
    # The protected cells only: {dims…, "value": int or null, "flag": "" | "zero"}.
    cells = models.JSONField(_("geschützte Tabellenfelder"), default=list, blank=True)
    dimensions = models.JSONField(_("Merkmale"), default=list, blank=True)
    cell_count = models.PositiveIntegerField(_("Felder"), default=0)
    reference_date = models.DateField(_("Stichtag"), null=True, blank=True)
    import_run_id = models.PositiveIntegerField(_("Datenstand (Importlauf)"), null=True)
    duration_ms = models.PositiveIntegerField(_("Dauer (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Abfrage im Tabellenbaukasten")
        verbose_name_plural = _("Abfragen im Tabellenbaukasten")
        indexes = [models.Index(fields=["user", "created_at"], name="builder_query_user_day")]

    def __str__(self):
        return f"Abfrage {self.pk} ({self.get_status_display()})"


class SavedQuery(models.Model):
    """A query kept by its author; it always runs on the source's current version."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    source = models.ForeignKey(
        "departments.DataSource", verbose_name=_("Datenquelle"), on_delete=models.CASCADE
    )
    title = models.CharField(_("Titel"), max_length=200)
    spec = models.JSONField(_("Abfrage"), default=dict)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        ordering = ["title", "pk"]
        verbose_name = _("gespeicherte Abfrage")
        verbose_name_plural = _("gespeicherte Abfragen")

    def __str__(self):
        return self.title


class Proposal(models.Model):
    """A query proposed for publication: in the office's review queue until decided."""

    class Status(models.TextChoices):
        OPEN = "open", _("wartet auf die Statistikstelle")
        ACCEPTED = "accepted", _("als Tabellendefinition übernommen")
        DECLINED = "declined", _("abgelehnt")

    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("vorgeschlagen von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.ForeignKey(
        "departments.DataSource", verbose_name=_("Datenquelle"), on_delete=models.PROTECT
    )
    title = models.CharField(_("Titel"), max_length=200)
    reason = models.TextField(_("Begründung"), blank=True)
    spec = models.JSONField(_("Abfrage"), default=dict)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_at = models.DateTimeField(_("vorgeschlagen am"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entschieden von"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("entschieden am"), null=True, blank=True)
    definition = models.ForeignKey(
        "tables.TableDefinition",
        verbose_name=_("Tabellendefinition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Vorschlag zur Veröffentlichung")
        verbose_name_plural = _("Vorschläge zur Veröffentlichung")

    def __str__(self):
        return self.title
