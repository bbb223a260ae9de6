"""Introduction checklists (from the study), stage changes, staff involvement and feedback."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from departments.models import DataSource, Department

# The stages a source passes through, in order; items are required to *reach* a stage.
STAGE_ORDER = [
    DataSource.Stage.IDENTIFIED,
    DataSource.Stage.VERIFIED,
    DataSource.Stage.PLAUSIBLE,
    DataSource.Stage.LIVE,
]


def stage_index(stage):
    return STAGE_ORDER.index(stage)


class ChecklistTemplate(models.Model):
    """A versioned checklist; editing a template in the admin archives the old version.

    Source templates are filled in per data source; department templates once per
    department, for what the department as a whole must do (its head named, staff council
    involved, staff informed and trained). Both gate the stages of the department's sources.
    """

    class Scope(models.TextChoices):
        SOURCE = "source", _("je Datenquelle")
        DEPARTMENT = "department", _("je Fachbereich")

    name = models.CharField(_("Name"), max_length=200)
    scope = models.CharField(
        _("gilt für"), max_length=20, choices=Scope.choices, default=Scope.SOURCE
    )
    version = models.PositiveIntegerField(_("Version"), default=1)
    is_current = models.BooleanField(_("aktuelle Version"), default=True)
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="unique_template_version")
        ]
        verbose_name = _("Checklisten-Vorlage")
        verbose_name_plural = _("Checklisten-Vorlagen")

    def __str__(self):
        return f"{self.name} (Version {self.version})"


class ChecklistItemTemplate(models.Model):
    class Role(models.TextChoices):
        DEPARTMENT = "department", _("Fachbereich")
        STATISTICS_OFFICE = "statistics_office", _("Statistikstelle")
        ADMINISTRATION = "administration", _("Administration")
        DATA_PROTECTION = "data_protection", _("Datenschutz")

    class AutoCheck(models.TextChoices):
        SCHEMA_DECLARED = "schema_declared", _("Schema hinterlegt")
        FIRST_ACCEPTED_IMPORT = "first_accepted_import", _("ein Import angenommen")
        VALIDATION_PASSES = "validation_passes", _("ein Import ohne Fehler")
        OFFICE_STAFF_QUALIFIED = "office_staff_qualified", _("verpflichtete Person mit Freigabe")
        FIRST_TABLE_PUBLISHED = "first_table_published", _("Tabelle veröffentlicht")
        FIRST_DASHBOARD_IN_USE = "first_dashboard_in_use", _("Dashboard veröffentlicht")
        UPDATE_CYCLE_AUTOMATED = "update_cycle_automated", _("Lieferungen im Rhythmus")
        # Department checklists
        DEPARTMENT_HEAD_NAMED = "department_head_named", _("Fachbereichsleitung in BIF benannt")
        SOURCES_CATALOGUED = "sources_catalogued", _("Datenquellen im Katalog")
        STAFF_INFORMED = "staff_informed", _("Mitarbeitende informiert")
        STAFF_TRAINED = "staff_trained", _("Mitarbeitende geschult")

    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.CASCADE, related_name="items", verbose_name=_("Vorlage")
    )
    order = models.PositiveSmallIntegerField(_("Reihenfolge"), default=0)
    key = models.SlugField(_("Kennung"), max_length=60)
    title = models.CharField(_("Titel"), max_length=200)
    explanation = models.TextField(_("Erläuterung"), blank=True)
    responsible_role = models.CharField(
        _("verantwortlich"), max_length=30, choices=Role.choices, default=Role.DEPARTMENT
    )
    required_for_stage = models.CharField(
        _("erforderlich für Stufe"),
        max_length=20,
        choices=[(s.value, s.label) for s in STAGE_ORDER[1:]],
    )
    auto_check = models.CharField(
        _("automatische Prüfung"), max_length=40, choices=AutoCheck.choices, blank=True
    )

    class Meta:
        ordering = ["template", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["template", "key"], name="unique_item_key")]
        verbose_name = _("Punkt der Vorlage")
        verbose_name_plural = _("Punkte der Vorlage")

    def __str__(self):
        return self.title


class Checklist(models.Model):
    """One checklist per data source (drives its stage) or per department."""

    source = models.OneToOneField(
        DataSource,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checklist",
        verbose_name=_("Datenquelle"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="checklists",
        verbose_name=_("Fachbereich"),
    )
    template = models.ForeignKey(
        ChecklistTemplate, on_delete=models.PROTECT, related_name="checklists"
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Checkliste")
        verbose_name_plural = _("Checklisten")
        constraints = [
            models.UniqueConstraint(
                fields=["department"],
                condition=models.Q(source__isnull=True),
                name="one_checklist_per_department",
            )
        ]

    def __str__(self):
        return f"Checkliste {self.source or self.department}"

    @property
    def is_department_checklist(self):
        return self.source_id is None


class ChecklistItem(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    item_template = models.ForeignKey(
        ChecklistItemTemplate, on_delete=models.PROTECT, related_name="+"
    )
    done_at = models.DateTimeField(_("erledigt am"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erledigt von"),
    )
    evidence_text = models.TextField(_("Nachweis"), blank=True)
    evidence_link = models.URLField(_("Nachweis (Link)"), blank=True)
    # Stored under MEDIA_ROOT, which is never served: files are read through the admin only.
    evidence_file = models.FileField(_("Nachweis (Datei)"), upload_to="rollout/", blank=True)

    class Meta:
        ordering = ["item_template__order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "item_template"], name="unique_item")
        ]
        verbose_name = _("Punkt der Checkliste")
        verbose_name_plural = _("Punkte der Checkliste")

    def __str__(self):
        return self.item_template.title


class StageChange(models.Model):
    source = models.ForeignKey(DataSource, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("von"), max_length=20, choices=DataSource.Stage.choices)
    to_stage = models.CharField(_("nach"), max_length=20, choices=DataSource.Stage.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("geändert am"))
    note = models.TextField(_("Vermerk"), blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("Stufenwechsel")
        verbose_name_plural = _("Stufenwechsel")

    def __str__(self):
        return f"{self.source}: {self.from_stage} → {self.to_stage}"


class StaffInvolvement(models.Model):
    """Who in a department was informed about BIF and trained to use it."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="staff_involvement"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    person_name = models.CharField(_("Name"), max_length=200, blank=True)
    informed_at = models.DateField(_("informiert am"), null=True, blank=True)
    trained_at = models.DateField(_("geschult am"), null=True, blank=True)
    note = models.CharField(_("Bemerkung"), max_length=500, blank=True)

    class Meta:
        ordering = ["department", "person_name", "pk"]
        verbose_name = _("Beteiligung von Mitarbeitenden")
        verbose_name_plural = _("Beteiligung von Mitarbeitenden")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.person_name:
            return self.person_name
        if self.user_id:
            return self.user.get_full_name() or self.user.get_username()
        return "–"


class DashboardFeedback(models.Model):
    dashboard = models.ForeignKey(
        "dashboards.Dashboard", on_delete=models.CASCADE, related_name="feedback"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    useful = models.BooleanField(_("Zahl ist nützlich"))
    missing = models.TextField(_("Was fehlt?"), blank=True)
    created_at = models.DateTimeField(_("eingegangen am"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("Rückmeldung zu einem Dashboard")
        verbose_name_plural = _("Rückmeldungen zu Dashboards")

    def __str__(self):
        return f"{self.dashboard}: {'nützlich' if self.useful else 'nicht nützlich'}"
