"""Table definitions, their computations and what is published. Never any microdata here.

These models live in the portal's database: a computation keeps only the protected cells
(secret cells without their value), a published table is an immutable copy of them.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from bif.jobs import Job


class TableDefinition(models.Model):
    class Measure(models.TextChoices):
        COUNT = "count", _("Anzahl")
        SUM = "sum", _("Summe")
        MEAN = "mean", _("Mittelwert")

    class Method(models.TextChoices):
        SUPPRESSION = "suppression", _("Zellsperrung (primär und sekundär)")
        CELLKEY = "cellkey", _("Cell-Key-Verfahren (Überlagerung)")

    class Status(models.TextChoices):
        ACTIVE = "active", _("aktiv")
        ARCHIVED = "archived", _("archiviert")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    sources = models.ManyToManyField(
        "departments.DataSource", verbose_name=_("Datenquellen"), related_name="table_definitions"
    )
    # [{"field": "Geschlecht", "op": "in", "values": ["w"]}]
    filters = models.JSONField(_("Filter"), default=list, blank=True)
    # [{"field": "Stadtteil", "kind": "code"}, {"field": "Geburtsdatum", "kind": "age_band",
    #   "bands": "5y"}, {"field": "Statistischer Bezirk", "kind": "hierarchy",
    #   "hierarchy": "stadtbezirk->stadtteil"}]
    dimensions = models.JSONField(_("Merkmale"), default=list)
    measure = models.CharField(
        _("Kennzahl"), max_length=10, choices=Measure.choices, default=Measure.COUNT
    )
    measure_field = models.CharField(_("Feld der Kennzahl"), max_length=100, blank=True)
    method = models.CharField(
        _("Geheimhaltungsverfahren"),
        max_length=20,
        choices=Method.choices,
        default=Method.SUPPRESSION,
    )
    # min_frequency, dominance_n, dominance_k, p_percent, protection_pct, holder_field,
    # ptable_D, ptable_V, ptable_js
    parameters = models.JSONField(_("Parameter"), default=dict, blank=True)
    # Import run ids for a time series; empty: the current version of the source.
    reference_runs = models.JSONField(_("Datenstände"), default=list, blank=True)
    auto_publish = models.BooleanField(
        _("bei neuem Datenstand ohne Prüfung veröffentlichen"), default=False
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("Tabellendefinition")
        verbose_name_plural = _("Tabellendefinitionen")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("tables:definition-detail", args=[self.pk])


class TableComputation(Job):
    """A job row (bif.jobs.Job): one computation of a definition, then its review and
    publication. A computation whose worker died ends failed (services.fail_stale_computations)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("in Warteschlange")
        RUNNING = "running", _("läuft")
        COMPUTED = "computed", _("berechnet, wartet auf Prüfung")
        FAILED = "failed", _("fehlgeschlagen")
        REVIEWED = "reviewed", _("geprüft und freigegeben")
        PUBLISHED = "published", _("veröffentlicht")
        REJECTED = "rejected", _("abgelehnt")

    definition = models.ForeignKey(
        TableDefinition,
        verbose_name=_("Tabelle"),
        on_delete=models.CASCADE,
        related_name="computations",
    )
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # The job's own labels (the pages say "begonnen am"); message and heartbeat_at are Job's.
    progress = models.PositiveSmallIntegerField(_("Fortschritt (%)"), default=0)
    created_at = models.DateTimeField(_("angefordert am"), auto_now_add=True)
    started_at = models.DateTimeField(_("begonnen am"), null=True, blank=True)
    computed_at = models.DateTimeField(_("berechnet am"), null=True, blank=True)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("berechnet von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The protected cells only: {dims…, "value": number or null, "flag", "reason"}.
    cells = models.JSONField(_("geschützte Tabellenfelder"), default=list, blank=True)
    # Counts and info loss; never a microdata value.
    stats = models.JSONField(_("Kennzahlen der Geheimhaltung"), default=dict, blank=True)
    # Layout for display: [{"name", "labels": {code: label}, "order": [codes]}]
    dimensions = models.JSONField(_("Merkmale"), default=list, blank=True)
    # Started by a new import of a source rather than by a person.
    automatic = models.BooleanField(_("nach neuem Datenstand"), default=False)
    reference_date = models.DateField(_("Stichtag"), null=True, blank=True)
    import_run_ids = models.JSONField(_("Datenstände (Importläufe)"), default=list, blank=True)
    # The definition as it was computed (dimensions, filters, measure, method, parameters):
    # joint protection rebuilds every published cell's record set from it.
    spec = models.JSONField(_("Definition zum Zeitpunkt der Berechnung"), default=dict, blank=True)
    audit_passed = models.BooleanField(_("Prüfung der Sperrung bestanden"), null=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geprüft von"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reviewed_at = models.DateTimeField(_("geprüft am"), null=True, blank=True)
    review_comment = models.TextField(_("Prüfvermerk"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Tabellenberechnung")
        verbose_name_plural = _("Tabellenberechnungen")

    def __str__(self):
        return f"{self.definition} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("tables:computation-detail", args=[self.pk])

    @property
    def is_publishable(self):
        """Cell key tables need no audit; suppressed tables only with a passed audit."""
        if self.status not in (self.Status.COMPUTED, self.Status.REVIEWED):
            return False
        if self.stats.get("method") == TableDefinition.Method.CELLKEY:
            return True
        return bool(self.audit_passed)


class PublishedTable(models.Model):
    """What leaves the statistics office. Written once; a new publication is a new version."""

    definition = models.ForeignKey(
        TableDefinition,
        verbose_name=_("Tabelle"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    computation = models.ForeignKey(
        TableComputation,
        verbose_name=_("Berechnung"),
        on_delete=models.PROTECT,
        related_name="publications",
    )
    version = models.PositiveIntegerField(_("Version"))
    title = models.CharField(_("Titel"), max_length=200)
    description = models.TextField(_("Beschreibung"), blank=True)
    published_at = models.DateTimeField(_("veröffentlicht am"), auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("veröffentlicht von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geprüft von"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    reference_date = models.DateField(_("Stichtag"), null=True, blank=True)
    method = models.CharField(_("Geheimhaltungsverfahren"), max_length=20)
    parameters = models.JSONField(_("Parameter"), default=dict)
    measure = models.CharField(_("Kennzahl"), max_length=10)
    measure_label = models.CharField(_("Bezeichnung der Kennzahl"), max_length=200)
    # [{"name": "Stadtteil", "labels": {"01": "Altstadt", "_T": "Insgesamt"}, "order": [...]}]
    dimensions = models.JSONField(_("Merkmale"), default=list)
    suppression_count = models.PositiveIntegerField(_("gesperrte Felder"), default=0)
    sources_label = models.CharField(_("Quelle"), max_length=500)
    # [{dims…, "value": number or null, "flag": "" | "secret" | "zero"}]
    cells = models.JSONField(_("Tabellenfelder"), default=list)
    # The definition as computed and the data versions it was computed from (import run ids).
    spec = models.JSONField(_("Definition"), default=dict, blank=True)
    import_run_ids = models.JSONField(_("Datenstände (Importläufe)"), default=list, blank=True)
    withdrawn_at = models.DateTimeField(_("zurückgezogen am"), null=True, blank=True)
    # The area structure the table is on (issue 17), and a time series' note on a boundary
    # change its earlier dates were re-aggregated across.
    gebietsstand = models.DateField(_("Gebietsstand"), null=True, blank=True)
    area_note = models.TextField(_("Hinweis zur Gebietsänderung"), blank=True)

    class Meta:
        ordering = ["title", "-version"]
        verbose_name = _("Veröffentlichte Tabelle")
        verbose_name_plural = _("Veröffentlichte Tabellen")
        constraints = [
            models.UniqueConstraint(
                fields=["definition", "version"], name="one_publication_per_version"
            )
        ]

    def __str__(self):
        return f"{self.title} (Version {self.version})"

    def save(self, *args, **kwargs):
        # A published figure never changes; a correction is a new version.
        if not self._state.adding:
            raise ValueError("Eine veröffentlichte Tabelle wird nicht geändert.")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("tables:published-detail", args=[self.pk])


class OfficePerturbationTable(models.Model):
    """The statistics office's own perturbation table for the cell key method (as the R
    package ``ptable`` writes it). A definition names it in its parameters (``ptable``)."""

    name = models.SlugField(_("Name"), max_length=80, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    # [{"i": 0, "j": 0, "p": 1.0}, ...]
    rows = models.JSONField(_("Übergangswahrscheinlichkeiten"))
    max_noise = models.PositiveSmallIntegerField(_("größte Abweichung (D)"))
    variance = models.FloatField(_("Varianz (V)"))
    threshold = models.PositiveSmallIntegerField(_("nie veröffentlichte Werte 1 bis js"))
    meets_variance = models.BooleanField(_("Varianz in jeder Klasse erreicht"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("geladen von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("geladen am"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Überlagerungstabelle der Statistikstelle")
        verbose_name_plural = _("Überlagerungstabellen der Statistikstelle")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Tables computed with it must stay reproducible: a new table gets a new name.
        if not self._state.adding:
            raise ValueError("Eine Überlagerungstabelle wird nicht geändert.")
        super().save(*args, **kwargs)
