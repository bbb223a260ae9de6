"""The statistics office's indicator catalogue: what an indicator means and how it is formed
from published tables. Values are never stored: they are computed from the protected
figures of the table versions current at the Stichtag (indicators.selectors)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Indicator(models.Model):
    class Kind(models.TextChoices):
        VALUE = "value", _("Wert der Tabelle (Anzahl)")
        RATIO = "ratio", _("Verhältnis (Zähler / Nenner)")
        SHARE = "share", _("Anteil in Prozent (Zähler / Nenner × 100)")
        PER_1000 = "per_1000", _("je 1.000 (Zähler / Nenner × 1.000)")
        DIFFERENCE = "difference", _("Differenz (Zähler − Nenner)")
        CHANGE = "change", _("Veränderung zum vorigen Stichtag")
        CHANGE_PCT = "change_pct", _("Veränderung zum vorigen Stichtag in Prozent")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")

    name = models.CharField(_("Name"), max_length=200)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    definition = models.TextField(_("Definition"))
    unit = models.CharField(_("Einheit"), max_length=80)
    kind = models.CharField(_("Berechnung"), max_length=12, choices=Kind.choices)
    numerator = models.ForeignKey(
        "tables.TableDefinition",
        verbose_name=_("Tabelle des Zählers"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    numerator_label = models.CharField(_("Bezeichnung des Zählers"), max_length=200)
    # Fixed codes of the table's other dimensions, e.g. {"Altersgruppe": "15-64"}; a
    # dimension not named is read at its total.
    numerator_filter = models.JSONField(_("Auswahl im Zähler"), default=dict, blank=True)
    denominator = models.ForeignKey(
        "tables.TableDefinition",
        verbose_name=_("Tabelle des Nenners"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    denominator_label = models.CharField(_("Bezeichnung des Nenners"), max_length=200, blank=True)
    denominator_filter = models.JSONField(_("Auswahl im Nenner"), default=dict, blank=True)
    area_dimension = models.CharField(_("Merkmal der Gebiete"), max_length=100, default="Stadtteil")
    decimals = models.PositiveSmallIntegerField(_("Nachkommastellen"), default=1)
    source = models.CharField(
        _("Quelle"), max_length=500, blank=True, help_text=_("leer: die Quellen der Tabellen")
    )
    contact = models.CharField(_("Ansprechpartner"), max_length=300, blank=True)
    legal_basis = models.CharField(_("Rechtsgrundlage"), max_length=500, blank=True)
    footnotes = models.TextField(_("Fußnoten"), blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # Raised by every change of the definition; each computed value names the table
    # versions it was read from.
    version = models.PositiveIntegerField(_("Version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Indikator")
        verbose_name_plural = _("Indikatoren")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("indicators:detail", args=[self.slug])
