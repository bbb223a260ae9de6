"""The catalog: departments (Fachbereiche) and the data sources they deliver."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from bif.jobs import Job


class Department(models.Model):
    name = models.CharField(_("Name"), max_length=200, unique=True)
    code = models.SlugField(_("Kurzzeichen"), max_length=20, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    # The department's analysts: members of this group may upload to its sources.
    analyst_group = models.OneToOneField(
        Group,
        verbose_name=_("Analysegruppe"),
        on_delete=models.PROTECT,
        related_name="analyst_department",
        null=True,
        blank=True,
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("Fachbereich")
        verbose_name_plural = _("Fachbereiche")

    def __str__(self):
        return self.name


class DataSource(models.Model):
    class Kind(models.TextChoices):
        MICRODATA = "microdata", _("Einzeldaten")
        AGGREGATE = "aggregate", _("Aggregierte Tabelle")

    class Stage(models.TextChoices):
        IDENTIFIED = "identified", _("identifiziert")
        VERIFIED = "verified", _("verifiziert")
        PLAUSIBLE = "plausible", _("plausibilisiert")
        LIVE = "live", _("im Betrieb")

    class Sensitivity(models.TextChoices):
        INTERNAL = "internal", _("intern")
        CONFIDENTIAL = "confidential", _("vertraulich")
        STRICTLY_CONFIDENTIAL = "strict", _("streng vertraulich")

    class UpdateCycle(models.TextChoices):
        MONTHLY = "monthly", _("monatlich")
        QUARTERLY = "quarterly", _("vierteljährlich")
        YEARLY = "yearly", _("jährlich")
        ON_DEMAND = "on_demand", _("bei Bedarf")

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kennung"), max_length=60, unique=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("Fachbereich"),
        on_delete=models.PROTECT,
        related_name="data_sources",
    )
    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, default=Kind.MICRODATA)
    # An aggregate source: the origin's own note ("© Statistisches Bundesamt …"), published
    # with every figure taken from it.
    source_note = models.CharField(_("Quellenangabe der Herkunft"), max_length=500, blank=True)
    fachverfahren = models.CharField(_("Fachverfahren"), max_length=200, blank=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    legal_basis = models.TextField(_("Rechtsgrundlage"), blank=True)
    update_cycle = models.CharField(
        _("Lieferrhythmus"), max_length=20, choices=UpdateCycle.choices, default=UpdateCycle.YEARLY
    )
    sensitivity = models.CharField(
        _("Schutzbedarf"),
        max_length=20,
        choices=Sensitivity.choices,
        default=Sensitivity.CONFIDENTIAL,
    )
    contact = models.CharField(_("Ansprechperson"), max_length=200, blank=True)
    stage = models.CharField(
        _("Einführungsstufe"), max_length=20, choices=Stage.choices, default=Stage.IDENTIFIED
    )
    # For aggregate tables delivered from outside: how the origin protected them.
    origin_protection = models.TextField(_("Geheimhaltung durch den Datenlieferanten"), blank=True)
    # {file column header: schema field}, learned from earlier uploads; survives renamings.
    column_mapping = models.JSONField(_("Spaltenzuordnung"), default=dict, blank=True)
    # Field holding the reference date (Stichtag), if the export carries one.
    reference_date_field = models.CharField(_("Feld mit dem Stichtag"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        ordering = ["department__name", "name"]
        verbose_name = _("Datenquelle")
        verbose_name_plural = _("Datenquellen")
        permissions = [
            ("upload_datasource", _("Exporte für die Datenquelle hochladen")),
            ("view_microdata", _("Einzeldaten der Datenquelle einsehen")),
            ("export_microdata", _("Einzeldaten der Datenquelle exportieren")),
            ("define_tables", _("Tabellen aus der Datenquelle definieren")),
            ("publish_tables", _("Tabellen aus der Datenquelle veröffentlichen")),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("departments:source-detail", args=[self.slug])


# Direct foreign-key permission tables (guardian's advice for many objects): no text casts,
# and grants vanish with their source instead of dangling on a reused key.
class DataSourceUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(DataSource, on_delete=models.CASCADE)


class DataSourceGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(DataSource, on_delete=models.CASCADE)


class DepartmentMembership(models.Model):
    """Who belongs to a department; analysts among them upload for its sources."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="department_memberships"
    )
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    is_head = models.BooleanField(_("Fachbereichsleitung"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "department"], name="unique_membership")
        ]
        verbose_name = _("Mitgliedschaft im Fachbereich")
        verbose_name_plural = _("Mitgliedschaften in Fachbereichen")

    def __str__(self):
        return f"{self.user} – {self.department}"


class SchemaVersion(models.Model):
    """A version of a source's Frictionless Table Schema; the highest version is in force."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="schemas")
    version = models.PositiveIntegerField(_("Version"))
    descriptor = models.JSONField(_("Table Schema"))
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["source", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "version"], name="unique_schema_version")
        ]
        verbose_name = _("Schemaversion")
        verbose_name_plural = _("Schemaversionen")

    def __str__(self):
        return f"{self.source} v{self.version}"


class ImportRun(Job):
    """One upload of an export and its way through reading, checks and loading (a job row:
    progress, message, started_at and heartbeat_at come from bif.jobs.Job)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("eingereiht")
        RUNNING = "running", _("läuft")
        FAILED = "failed", _("fehlgeschlagen")
        CANCELLED = "cancelled", _("abgebrochen")
        AWAITING_REVIEW = "review", _("wartet auf Prüfung")
        ACCEPTED = "accepted", _("angenommen")
        SUPERSEDED = "superseded", _("abgelöst")
        ROLLED_BACK = "rolled_back", _("zurückgenommen")
        WITHDRAWN = "withdrawn", _("zurückgezogen")

    class Stage(models.TextChoices):
        WAITING = "waiting", _("wartet")
        READING = "reading", _("Lesen")
        VALIDATING = "validating", _("Prüfen")
        PLAUSIBILITY = "plausibility", _("Plausibilisieren")
        LOADING = "loading", _("Laden")
        DONE = "done", _("fertig")

    ACTIVE = (Status.QUEUED, Status.RUNNING, Status.AWAITING_REVIEW, Status.ACCEPTED)
    FINAL = (
        Status.FAILED,
        Status.CANCELLED,
        Status.SUPERSEDED,
        Status.ROLLED_BACK,
        Status.WITHDRAWN,
    )

    source = models.ForeignKey(DataSource, on_delete=models.PROTECT, related_name="import_runs")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_runs",
    )
    created_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)
    finished_at = models.DateTimeField(_("beendet am"), null=True, blank=True)
    file_name = models.CharField(_("Dateiname"), max_length=255)
    stored_path = models.CharField(max_length=500, editable=False)
    checksum = models.CharField(_("Prüfsumme (SHA-256)"), max_length=64)
    size_bytes = models.PositiveBigIntegerField(_("Größe in Bytes"), default=0)
    sheet = models.CharField(_("Tabellenblatt"), max_length=100, blank=True)
    schema_version = models.ForeignKey(
        SchemaVersion, on_delete=models.PROTECT, null=True, blank=True
    )
    status = models.CharField(
        _("Status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    stage = models.CharField(_("Schritt"), max_length=20, choices=Stage.choices, default="waiting")
    rows_per_second = models.FloatField(_("Zeilen je Sekunde"), default=0)
    row_count = models.PositiveBigIntegerField(_("Zeilen"), null=True, blank=True)
    error_count = models.PositiveIntegerField(_("Fehler"), default=0)
    warning_count = models.PositiveIntegerField(_("Hinweise"), default=0)
    # The findings themselves (they quote values) and the profile are sealed
    # (statistics_office.microdata.reports); the portal keeps how many of each rule.
    finding_counts = models.JSONField(_("Befunde je Regel"), default=dict, blank=True)
    detected = models.JSONField(_("Erkanntes Format"), default=dict, blank=True)
    mapping = models.JSONField(_("Spaltenzuordnung"), default=dict, blank=True)
    reference_date = models.DateField(_("Stichtag"), null=True, blank=True)
    cancel_requested = models.BooleanField(default=False)
    attempts = models.PositiveSmallIntegerField(_("Versuche"), default=1)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reviewed_import_runs",
    )
    reviewed_at = models.DateTimeField(_("geprüft am"), null=True, blank=True)
    review_comment = models.TextField(_("Prüfvermerk"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("Importlauf")
        verbose_name_plural = _("Importläufe")
        constraints = [
            # The same file is imported once per source; a failed try may be repeated.
            models.UniqueConstraint(
                fields=["source", "checksum"],
                condition=models.Q(
                    status__in=["queued", "running", "review", "accepted", "superseded"]
                ),
                name="one_live_run_per_file",
            )
        ]

    def __str__(self):
        return f"{self.source} #{self.pk} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("departments:run-detail", args=[self.pk])

    @property
    def is_finished(self):
        return self.status not in (self.Status.QUEUED, self.Status.RUNNING)


class CrossSourceRule(models.Model):
    """A plausibility rule across sources, defined by the office: per group (a Stadtteil, and
    a Stichtag or year if given), this source's count must not exceed the reference source's
    count (Kita children ≤ residents aged 0–6), or a measure's sum must not exceed, or must
    equal within a tolerance, the reference's (residents in table A = residents in table B)."""

    class Comparison(models.TextChoices):
        COUNT_NOT_ABOVE = "count_not_above", _("Anzahl Datensätze ≤ Vergleichsquelle")
        VALUE_NOT_ABOVE = "value_not_above", _("Wert ≤ Wert der Vergleichsquelle")
        VALUE_WITHIN = "value_within", _("Wert = Wert der Vergleichsquelle (± Toleranz)")

    source = models.ForeignKey(
        DataSource, on_delete=models.CASCADE, related_name="cross_source_rules"
    )
    group_field = models.CharField(_("Gruppierungsfeld"), max_length=100)
    reference_source = models.ForeignKey(
        DataSource, on_delete=models.CASCADE, related_name="+", verbose_name=_("Vergleichsquelle")
    )
    reference_group_field = models.CharField(
        _("Gruppierungsfeld der Vergleichsquelle"), max_length=100
    )
    reference_birthdate_field = models.CharField(
        _("Geburtsdatum in der Vergleichsquelle"), max_length=100, blank=True
    )
    max_age_years = models.PositiveSmallIntegerField(
        _("nur Personen unter … Jahren"), null=True, blank=True
    )
    label = models.CharField(_("Bezeichnung"), max_length=200)
    reference_label = models.CharField(_("Bezeichnung der Vergleichsgröße"), max_length=200)
    comparison = models.CharField(
        _("Vergleich"), max_length=20, choices=Comparison.choices, default="count_not_above"
    )
    measure = models.CharField(_("Messgröße"), max_length=100, blank=True)
    reference_measure = models.CharField(
        _("Messgröße der Vergleichsquelle"), max_length=100, blank=True
    )
    period_field = models.CharField(_("Stichtag/Jahr"), max_length=100, blank=True)
    reference_period_field = models.CharField(
        _("Stichtag/Jahr der Vergleichsquelle"), max_length=100, blank=True
    )
    tolerance_pct = models.FloatField(_("Toleranz in %"), default=0)
    # "max" for a figure repeated in every row of its group (a wide table made long).
    aggregation = models.CharField(
        _("Wert je Gruppe"),
        max_length=3,
        choices=[("sum", _("Summe")), ("max", _("größter Wert"))],
        default="sum",
    )

    class Meta:
        verbose_name = _("quellenübergreifende Plausibilitätsregel")
        verbose_name_plural = _("quellenübergreifende Plausibilitätsregeln")

    def __str__(self):
        sign = "≈" if self.comparison == self.Comparison.VALUE_WITHIN else "≤"
        return f"{self.label} {sign} {self.reference_label}"


class DataDescription(models.Model):
    """A source's data description document (Datensatzbeschreibung: PDF, TXT or DOCX), kept
    in versions; the newest is shown on the source's page. Metadata, never data."""

    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="descriptions")
    version = models.PositiveIntegerField(_("Version"))
    file_name = models.CharField(_("Dateiname"), max_length=255)
    kind = models.CharField(_("Dateityp"), max_length=4)  # pdf, txt, docx
    size_bytes = models.PositiveIntegerField(_("Größe in Bytes"))
    content = models.BinaryField(_("Inhalt"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(_("hochgeladen am"), auto_now_add=True)

    class Meta:
        ordering = ["source", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["source", "version"], name="unique_description_version")
        ]
        verbose_name = _("Datensatzbeschreibung")
        verbose_name_plural = _("Datensatzbeschreibungen")

    def __str__(self):
        return f"{self.source} – {self.file_name} (v{self.version})"
