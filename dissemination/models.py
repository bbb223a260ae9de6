"""What the office says about a table beyond its cells: metadata and footnotes per version,
the planned release (embargo) and the release calendar. Never a cell value here."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DL_DE_BY = "dl-de/by-2-0"


class TableMetadata(models.Model):
    """One per computation, so one per published version: edited by the office before review,
    frozen once the version is published (a correction is a new version)."""

    class Periodicity(models.TextChoices):
        ANNUAL = "ANNUAL", _("jährlich")
        QUARTERLY = "QUARTERLY", _("vierteljährlich")
        MONTHLY = "MONTHLY", _("monatlich")
        IRREG = "IRREG", _("unregelmäßig")

    computation = models.OneToOneField(
        "tables.TableComputation",
        verbose_name=_("Berechnung"),
        on_delete=models.CASCADE,
        related_name="metadata",
    )
    description = models.TextField(_("Beschreibung"), blank=True)
    unit = models.CharField(_("Einheit der Kennzahl"), max_length=100, blank=True)
    reference_period = models.CharField(_("Berichtszeitraum"), max_length=100, blank=True)
    source_note = models.CharField(_("Quellenvermerk"), max_length=300, blank=True)
    contact_name = models.CharField(_("Kontakt"), max_length=200, blank=True)
    contact_email = models.EmailField(_("E-Mail des Kontakts"), blank=True)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=300, blank=True)
    official_statistics = models.BooleanField(_("amtliche Statistik"), default=True)
    licence = models.CharField(_("Lizenz"), max_length=50, default=DL_DE_BY)
    # Name of the dimension that holds periods (time selection, JSON-stat role "time").
    time_dimension = models.CharField(_("Merkmal der Zeit"), max_length=100, blank=True)
    geo_dimension = models.CharField(_("Merkmal des Gebiets"), max_length=100, blank=True)
    # [{"level": "table"|"dimension"|"value"|"cell", "dimension": …, "code": …,
    #   "cell": {dimension: code}, "text": …}]
    footnotes = models.JSONField(_("Fußnoten"), default=list, blank=True)
    revision_note = models.TextField(_("Revisionshinweis"), blank=True)
    accrual_periodicity = models.CharField(
        _("Aktualisierung"), max_length=10, choices=Periodicity.choices, default="ANNUAL"
    )
    is_open = models.BooleanField(_("als offene Daten veröffentlichen"), default=False)
    # Embargo: the reviewed table is published at this moment, not before.
    release_at = models.DateTimeField(_("Veröffentlichung am (Sperrfrist)"), null=True, blank=True)
    release_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("terminiert von"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Metadaten einer Tabelle")
        verbose_name_plural = _("Metadaten der Tabellen")

    def __str__(self):
        return str(self.computation)


class PlannedRelease(models.Model):
    """An entry of the release calendar: the next version of a table is due then."""

    definition = models.ForeignKey(
        "tables.TableDefinition",
        verbose_name=_("Tabelle"),
        on_delete=models.CASCADE,
        related_name="planned_releases",
    )
    planned_at = models.DateTimeField(_("geplant am"))
    note = models.CharField(_("Hinweis"), max_length=300, blank=True)

    class Meta:
        ordering = ["planned_at"]
        verbose_name = _("geplante Veröffentlichung")
        verbose_name_plural = _("Veröffentlichungskalender")

    def __str__(self):
        return f"{self.definition} ({self.planned_at:%d.%m.%Y})"


class CityProfile(models.Model):
    """Who publishes: the city's name and Amtlicher Gemeindeschlüssel (AGS), as data of the
    city (the demo city's come with its data package), never in code. One row; without it
    the settings BIF_CITY_NAME / BIF_CITY_AGS apply (both empty unless a deployment sets them)."""

    name = models.CharField(_("Stadt"), max_length=200)
    municipality_key = models.CharField(
        _("Amtlicher Gemeindeschlüssel"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("Der Gemeindeschlüssel hat acht Ziffern."))],
        help_text=_("Acht Ziffern, z. B. 01001000; für dcatde:politicalGeocodingURI."),
    )

    class Meta:
        verbose_name = _("Stadt (Herausgeberin)")
        verbose_name_plural = _("Stadt (Herausgeberin)")

    def __str__(self):
        return self.name
