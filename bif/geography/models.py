"""The city's area structure as data: systems, levels and units with their Gebietsstand."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaSystem(models.Model):
    """The small-area structure (kleinräumige Gliederung) or a system built from its units
    (Schulbezirke, Sozialräume, Wahlbezirke)."""

    name = models.CharField(_("Name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("Gebietssystem")
        verbose_name_plural = _("Gebietssysteme")

    def __str__(self):
        return self.name


class AreaLevel(models.Model):
    """A level named by the city (Stadtteil, Stadtbezirk, Baublock …); ``slug`` is how table
    definitions and files refer to it."""

    system = models.ForeignKey(AreaSystem, on_delete=models.CASCADE, related_name="levels")
    slug = models.SlugField(_("Kürzel"), max_length=60, unique=True)
    name = models.CharField(_("Bezeichnung"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    built_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="systems_built"
    )
    depth = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("Gebietsstufe")
        verbose_name_plural = _("Gebietsstufen")
        ordering = ["system_id", "depth", "slug"]

    def __str__(self):
        return self.name


class AreaUnit(models.Model):
    """One area of a level for its Gebietsstand (valid_from … valid_to, open = today)."""

    level = models.ForeignKey(AreaLevel, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(_("Code"), max_length=40)
    name = models.CharField(_("Name"), max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # GeoJSON geometry in CRS84 (lon/lat); None for a level without geometry.
    geometry = models.JSONField(null=True, blank=True)
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)
    valid_to = models.DateField(_("gültig bis"), null=True, blank=True)
    members = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="+")

    class Meta:
        verbose_name = _("Gebiet")
        verbose_name_plural = _("Gebiete")
        ordering = ["level_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["level", "code", "valid_from"], name="area_code_unique_per_level"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class AreaChange(models.Model):
    """A boundary change: an old unit's records go (wholly or with a share) to a new unit of
    the same level, from ``effective`` on."""

    level = models.ForeignKey(AreaLevel, on_delete=models.CASCADE, related_name="changes")
    effective = models.DateField(_("wirksam ab"))
    old_code = models.CharField(_("alter Code"), max_length=40)
    new_code = models.CharField(_("neuer Code"), max_length=40)
    share = models.FloatField(_("Anteil"), default=1.0)

    class Meta:
        verbose_name = _("Gebietsänderung")
        verbose_name_plural = _("Gebietsänderungen")
        ordering = ["level_id", "effective", "old_code", "new_code"]

    def __str__(self):
        return f"{self.old_code} → {self.new_code} ({self.effective})"


class Classification(models.Model):
    """A code list (Geschlecht, Staatsangehörigkeitsgruppen, Altersgruppen …) as data."""

    slug = models.SlugField(_("Kürzel"), max_length=60, unique=True)
    name = models.CharField(_("Name"), max_length=200)

    class Meta:
        verbose_name = _("Klassifikation")
        verbose_name_plural = _("Klassifikationen")

    def __str__(self):
        return self.name


class ClassificationVersion(models.Model):
    classification = models.ForeignKey(
        Classification, on_delete=models.CASCADE, related_name="versions"
    )
    version = models.CharField(_("Version"), max_length=40)
    valid_from = models.DateField(_("gültig ab"), null=True, blank=True)

    class Meta:
        verbose_name = _("Klassifikationsversion")
        verbose_name_plural = _("Klassifikationsversionen")
        ordering = ["classification_id", "valid_from", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["classification", "version"], name="classification_version_unique"
            )
        ]

    def __str__(self):
        return f"{self.classification} {self.version}"


class ClassificationItem(models.Model):
    """One code: its label, place in the order, parent (a broader item) and, for age
    bands, the ages it covers (lower … upper, upper empty = open)."""

    version = models.ForeignKey(
        ClassificationVersion, on_delete=models.CASCADE, related_name="items"
    )
    code = models.CharField(_("Code"), max_length=40)
    label = models.CharField(_("Bezeichnung"), max_length=200)
    order = models.PositiveIntegerField(_("Reihenfolge"), default=0)
    parent_code = models.CharField(_("übergeordnet"), max_length=40, blank=True)
    lower = models.PositiveSmallIntegerField(null=True, blank=True)
    upper = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("Klassifikationsposition")
        verbose_name_plural = _("Klassifikationspositionen")
        ordering = ["version_id", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="classification_code_unique")
        ]

    def __str__(self):
        return f"{self.code} {self.label}"


class Address(models.Model):
    """One row of the city's address register: an address (or a range of house numbers on
    one side of a street) with its area codes and/or its point. Not personal data."""

    street_key = models.CharField(_("Straßenschlüssel"), max_length=40, blank=True)
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    number = models.CharField(_("Hausnummer"), max_length=20)
    suffix = models.CharField(_("Zusatz"), max_length=10, blank=True)
    number_to = models.CharField(_("Hausnummer bis"), max_length=20, blank=True)
    codes = models.JSONField(_("Gebiete"), default=dict, blank=True)  # {level slug: code}
    lon = models.FloatField(null=True, blank=True)
    lat = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = _("Adresse")
        verbose_name_plural = _("Adressregister")
        ordering = ["street", "street_key", "id"]

    def __str__(self):
        return f"{self.street or self.street_key} {self.number}{self.suffix}"
