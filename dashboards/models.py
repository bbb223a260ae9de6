"""Dashboards: a titled, ordered grid of widgets, each drawing one published table.

A widget points at a table *definition*, not at one publication: it always shows the newest
published version, so a new publication reaches every dashboard without editing it.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

# Colour-blind-safe palettes: categorical colours and a sequential scale for maps.
PALETTES = {
    "okabe-ito": {
        "label": _("Okabe–Ito (farbfehlsichtigkeitsgeeignet)"),
        "colors": [
            "#0072B2",
            "#E69F00",
            "#009E73",
            "#CC79A7",
            "#56B4E9",
            "#D55E00",
            "#F0E442",
            "#000000",
        ],
        "scale": "Cividis",
    },
    "tol-bright": {
        "label": _("Paul Tol „bright“ (farbfehlsichtigkeitsgeeignet)"),
        "colors": ["#4477AA", "#EE6677", "#228833", "#CCBB44", "#66CCEE", "#AA3377", "#BBBBBB"],
        "scale": "Viridis",
    },
    "blues": {
        "label": _("Blautöne (einfarbig)"),
        "colors": ["#08306B", "#2171B5", "#6BAED6", "#C6DBEF", "#4292C6", "#9ECAE1", "#DEEBF7"],
        "scale": "Blues",
    },
}
PALETTE_CHOICES = [(key, value["label"]) for key, value in PALETTES.items()]


class Dashboard(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Entwurf")
        PUBLISHED = "published", _("veröffentlicht")

    class Visibility(models.TextChoices):
        ALL = "all", _("alle Mitarbeitenden")
        GROUPS = "groups", _("nur ausgewählte Gruppen")

    title = models.CharField(_("Titel"), max_length=200)
    slug = models.SlugField(_("Kennung"), max_length=80, unique=True)
    description = models.TextField(_("Beschreibung"), blank=True)
    # Dimension names offered as filters, e.g. ["Stichtag", "Stadtteil"]; each applies to every
    # widget whose table has that dimension.
    filters = models.JSONField(_("Filter"), default=list, blank=True)
    status = models.CharField(
        _("Status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visibility = models.CharField(
        _("Sichtbar für"), max_length=10, choices=Visibility.choices, default=Visibility.ALL
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("angelegt von"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("angelegt am"), auto_now_add=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)
    published_at = models.DateTimeField(_("veröffentlicht am"), null=True, blank=True)

    class Meta:
        ordering = ["title"]
        verbose_name = _("Dashboard")
        verbose_name_plural = _("Dashboards")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("dashboards:detail", args=[self.slug])


class Widget(models.Model):
    class Kind(models.TextChoices):
        KPI = "kpi", _("Kennzahl (mit Veränderung zum vorigen Stichtag)")
        BAR = "bar", _("Balken")
        STACKED_BAR = "stacked_bar", _("gestapelte Balken")
        LINE = "line", _("Linie (Zeitreihe)")
        PIE = "pie", _("Kreis")
        DONUT = "donut", _("Ring")
        TABLE = "table", _("Tabelle")
        MAP = "map", _("Karte (Gebiete einer Ebene)")

    dashboard = models.ForeignKey(
        Dashboard, verbose_name=_("Dashboard"), on_delete=models.CASCADE, related_name="widgets"
    )
    position = models.PositiveIntegerField(_("Position"), default=0)
    title = models.CharField(_("Titel"), max_length=200)
    kind = models.CharField(_("Darstellung"), max_length=12, choices=Kind.choices)
    table = models.ForeignKey(
        "tables.TableDefinition",
        verbose_name=_("Tabelle"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A second table drawn as a further series (e.g. Kita-Verträge next to Kinder 0–5).
    compare_table = models.ForeignKey(
        "tables.TableDefinition",
        verbose_name=_("Vergleichstabelle"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    x_dimension = models.CharField(_("Merkmal auf der Achse"), max_length=100, blank=True)
    series_dimension = models.CharField(_("Merkmal der Reihen"), max_length=100, blank=True)
    palette = models.CharField(
        _("Farben"), max_length=20, choices=PALETTE_CHOICES, default="okabe-ito"
    )
    width = models.PositiveSmallIntegerField(
        _("Breite"),
        choices=[(1, _("ein Drittel")), (2, _("zwei Drittel")), (3, _("ganz"))],
        default=1,
    )
    note = models.TextField(_("Hinweis"), blank=True)
    # A map: the area level drawn (its slug; empty: the level the table's codes belong to),
    # how values fall into classes, how many, and the builder's own breaks ("10; 20; 50").
    map_level = models.CharField(_("Gebietsebene der Karte"), max_length=60, blank=True)
    map_method = models.CharField(
        _("Klassenbildung"),
        max_length=10,
        choices=[
            ("quantile", _("Quantile (gleich viele Gebiete je Klasse)")),
            ("equal", _("gleiche Intervalle")),
            ("jenks", _("natürliche Brüche (Jenks)")),
            ("manual", _("eigene Grenzen")),
        ],
        default="quantile",
    )
    map_classes = models.PositiveSmallIntegerField(
        _("Zahl der Klassen"), default=5, validators=[MinValueValidator(2), MaxValueValidator(9)]
    )
    map_breaks = models.CharField(_("eigene Klassengrenzen"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        ordering = ["dashboard", "position", "pk"]
        verbose_name = _("Dashboard-Element")
        verbose_name_plural = _("Dashboard-Elemente")

    def __str__(self):
        return f"{self.dashboard}: {self.title}"

    @property
    def spec(self):
        """What figures.py needs to know about the widget (plain data, cacheable)."""
        return {
            "id": self.pk,
            "title": self.title,
            "kind": self.kind,
            "x": self.x_dimension,
            "series": self.series_dimension,
            "palette": self.palette,
            "note": self.note,
            "map_level": self.map_level,
            "map_method": self.map_method,
            "map_classes": self.map_classes,
            "map_breaks": parse_breaks(self.map_breaks),
        }


def parse_breaks(text):
    """ "10; 20,5; 50" → [10.0, 20.5, 50.0] (German decimal comma); unreadable parts left out."""
    out = []
    for part in (text or "").split(";"):
        try:
            out.append(float(part.strip().replace(".", "").replace(",", ".")))
        except ValueError:
            continue
    return out


# Direct foreign-key permission tables (as for DataSource): grants vanish with the dashboard.
class DashboardUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Dashboard, on_delete=models.CASCADE)


class DashboardGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Dashboard, on_delete=models.CASCADE)
