"""The catalog: departments (Fachbereiche) and the data sources they deliver."""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


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
